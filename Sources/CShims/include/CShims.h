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
int sdn_recvmmsg(int fd, uint8_t *const *buffers, const uint32_t *sizes,
                 uint32_t *lengths, unsigned int count, int flags);

/// sendmmsg(2) of `count` buffers. Returns messages sent or -1 with errno set.
int sdn_sendmmsg(int fd, const uint8_t *const *buffers, const uint32_t *lengths,
                 unsigned int count, int flags);

#endif
