#ifndef SWIFTSDN_CSHIMS_H
#define SWIFTSDN_CSHIMS_H

#include <stdint.h>
#include <sys/types.h>

// TUN/TAP ioctl request numbers: built by the _IOW/_IOR macros in <linux/if_tun.h>,
// which Swift does not import.
extern const unsigned long sdn_TUNSETIFF;
extern const unsigned long sdn_TUNSETOFFLOAD;
extern const unsigned long sdn_TUNSETVNETHDRSZ;
extern const unsigned long sdn_TUNGETFEATURES;


/// recvmmsg(2) on `fd` into `count` buffers of `size` bytes each; lengths written to `lengths`.
/// Returns the number of messages received or -1 with errno set. Exists because Swift's Glibc
/// module is not built with _GNU_SOURCE and does not see mmsghdr/recvmmsg.
/// On an AF_PACKET socket with PACKET_AUXDATA enabled, `vlan_tags` (may be NULL) receives per
/// message the VLAN tag the kernel took out of the frame: (TPID << 16 | TCI), with
/// SDN_VLAN_TAG_VALID set when there was one (0 otherwise).
int sdn_recvmmsg(int fd, uint8_t *const *buffers, const uint32_t *sizes,
                 uint32_t *lengths, uint64_t *vlan_tags, unsigned int count, int flags);

#define SDN_VLAN_TAG_VALID (1ULL << 32)

/// sendmmsg(2) of `count` buffers. Returns messages sent or -1 with errno set.
int sdn_sendmmsg(int fd, const uint8_t *const *buffers, const uint32_t *lengths,
                 unsigned int count, int flags);

/// setns(2) into the network namespace behind `fd` (CLONE_NEWNET), for the calling thread only.
/// Exists because setns and CLONE_NEWNET are declared only under _GNU_SOURCE. -1 with errno set.
int sdn_setns_net(int fd);

/// unshare(2) of the network namespace (CLONE_NEWNET) for the calling thread only; same reason.
int sdn_unshare_net(void);

/// socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ALL)) bound to
/// `ifindex`, in promiscuous mode. -1 with errno set. In C because sockaddr_ll and packet_mreq
/// come from <linux/if_packet.h>, which Swift's Glibc module does not import.
int sdn_packet_socket(int ifindex);

/// setpriority(2) of the calling thread alone (PRIO_PROCESS with its gettid()), i.e. its
/// niceness. gettid is declared only under _GNU_SOURCE. -1 with errno set.
int sdn_set_thread_nice(int nice);

/// Names the calling thread (prctl PR_SET_NAME; the kernel keeps 15 bytes), as `top -H` and
/// /proc/PID/task/TID/comm show it. pthread_setname_np is declared only under _GNU_SOURCE.
int sdn_set_thread_name(const char *name);

/// getsockopt(PACKET_STATISTICS): frames the kernel dropped on this AF_PACKET socket since the
/// last call (the kernel resets the counter on read). -1 with errno set on failure.
long long sdn_packet_drops(int fd);

#endif
