#include "CShims.h"

#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <linux/if_tun.h>
#include <string.h>

const unsigned long sdn_TUNSETIFF = TUNSETIFF;
const unsigned long sdn_TUNSETOFFLOAD = TUNSETOFFLOAD;
const unsigned long sdn_TUNSETVNETHDRSZ = TUNSETVNETHDRSZ;
const unsigned long sdn_TUNGETFEATURES = TUNGETFEATURES;

#define SDN_MAX_BATCH 256

int sdn_recvmmsg(int fd, uint8_t *const *buffers, const uint32_t *sizes,
                 uint32_t *lengths, unsigned int count, int flags) {
    struct mmsghdr msgs[SDN_MAX_BATCH];
    struct iovec iov[SDN_MAX_BATCH];
    if (count > SDN_MAX_BATCH) count = SDN_MAX_BATCH;
    memset(msgs, 0, sizeof(struct mmsghdr) * count);
    for (unsigned int i = 0; i < count; i++) {
        iov[i].iov_base = buffers[i];
        iov[i].iov_len = sizes[i];
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
    int n = recvmmsg(fd, msgs, count, flags, NULL);
    for (int i = 0; i < n; i++) lengths[i] = msgs[i].msg_len;
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
