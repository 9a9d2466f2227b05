#include "CShims.h"

#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <linux/if_tun.h>
#include <string.h>
#include <linux/if_packet.h>
#include <linux/if_ether.h>
#include <arpa/inet.h>
#include <unistd.h>
#include <errno.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>

const unsigned long sdn_TUNSETIFF = TUNSETIFF;
const unsigned long sdn_TUNSETOFFLOAD = TUNSETOFFLOAD;
const unsigned long sdn_TUNSETVNETHDRSZ = TUNSETVNETHDRSZ;
const unsigned long sdn_TUNGETFEATURES = TUNGETFEATURES;

#define SDN_MAX_BATCH 256

int sdn_recvmmsg(int fd, uint8_t *const *buffers, const uint32_t *sizes,
                 uint32_t *lengths, uint64_t *vlan_tags, unsigned int count, int flags) {
    struct mmsghdr msgs[SDN_MAX_BATCH];
    struct iovec iov[SDN_MAX_BATCH];
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
    } control[SDN_MAX_BATCH];
    if (count > SDN_MAX_BATCH) count = SDN_MAX_BATCH;
    memset(msgs, 0, sizeof(struct mmsghdr) * count);
    for (unsigned int i = 0; i < count; i++) {
        iov[i].iov_base = buffers[i];
        iov[i].iov_len = sizes[i];
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
        if (vlan_tags) {
            msgs[i].msg_hdr.msg_control = control[i].buf;
            msgs[i].msg_hdr.msg_controllen = sizeof(control[i].buf);
        }
    }
    int n = recvmmsg(fd, msgs, count, flags, NULL);
    for (int i = 0; i < n; i++) {
        lengths[i] = msgs[i].msg_len;
        if (!vlan_tags) continue;
        vlan_tags[i] = 0;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&msgs[i].msg_hdr); c; c = CMSG_NXTHDR(&msgs[i].msg_hdr, c)) {
            if (c->cmsg_level != SOL_PACKET || c->cmsg_type != PACKET_AUXDATA) continue;
            struct tpacket_auxdata aux;
            memcpy(&aux, CMSG_DATA(c), sizeof(aux));
            if (aux.tp_status & TP_STATUS_VLAN_VALID) {
                uint16_t tpid = (aux.tp_status & TP_STATUS_VLAN_TPID_VALID) ? aux.tp_vlan_tpid : 0x8100;
                vlan_tags[i] = SDN_VLAN_TAG_VALID | ((uint64_t)tpid << 16) | aux.tp_vlan_tci;
            }
        }
    }
    return n;
}

int sdn_sendmmsg(int fd, const uint8_t *const *buffers, const uint32_t *lengths,
                 unsigned int count, int flags) {
    struct mmsghdr msgs[SDN_MAX_BATCH];
    struct iovec iov[SDN_MAX_BATCH];
    if (count > SDN_MAX_BATCH) count = SDN_MAX_BATCH;
    memset(msgs, 0, sizeof(struct mmsghdr) * count);
    for (unsigned int i = 0; i < count; i++) {
        iov[i].iov_base = (void *)buffers[i];
        iov[i].iov_len = lengths[i];
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
    return sendmmsg(fd, msgs, count, flags);
}

#include <sched.h>

int sdn_setns_net(int fd) { return setns(fd, CLONE_NEWNET); }

int sdn_unshare_net(void) { return unshare(CLONE_NEWNET); }

int sdn_set_thread_nice(int nice) {
    return setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), nice);
}

int sdn_set_thread_name(const char *name) { return prctl(PR_SET_NAME, name, 0, 0, 0); }

int sdn_packet_socket(int ifindex) {
    int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ALL));
    if (fd < 0) return -1;
    struct sockaddr_ll addr;
    memset(&addr, 0, sizeof(addr));
    addr.sll_family = AF_PACKET;
    addr.sll_protocol = htons(ETH_P_ALL);
    addr.sll_ifindex = ifindex;
    struct packet_mreq mreq;
    memset(&mreq, 0, sizeof(mreq));
    mreq.mr_ifindex = ifindex;
    mreq.mr_type = PACKET_MR_PROMISC;
    if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0
        || setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mreq, sizeof(mreq)) < 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return fd;
}

long long sdn_packet_drops(int fd) {
    struct tpacket_stats stats;
    socklen_t len = sizeof(stats);
    if (getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &stats, &len) < 0) return -1;
    return stats.tp_drops;
}
