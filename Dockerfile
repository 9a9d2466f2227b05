# SwiftSDN: build release binaries with the Swift toolchain, run them on slim Debian.
#
# Runtime needs: CAP_NET_ADMIN (TAP devices, netlink, namespaces), CAP_NET_RAW (AF_PACKET
# ports, captures), CAP_SYS_NICE (the datapath thread's niceness -10; without it vswitchd
# warns and forwards at the default) and /dev/net/tun, e.g.
#   docker run --cap-add NET_ADMIN --cap-add NET_RAW --cap-add SYS_NICE --device /dev/net/tun \
#              -v /run/swiftsdn:/run/swiftsdn swiftsdn vswitchd run --config /etc/swiftsdn/s1.yaml
# Moving ports into other containers' namespaces also needs --pid=host or a shared /run/netns.

FROM swift:6.3-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpcap-dev libnl-3-dev libnl-route-3-dev libsqlite3-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --static-swift-stdlib \
 && mkdir -p /out \
 && for b in vswitchd sdn-controller sdnctl; do cp "$(swift build -c release --show-bin-path)/$b" /out/; done

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpcap0.8 libnl-3-200 libnl-route-3-200 libsqlite3-0 iproute2 ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/ /usr/local/bin/
COPY topologies /etc/swiftsdn/topologies
RUN mkdir -p /run/swiftsdn
ENTRYPOINT []
CMD ["vswitchd", "--help"]
