#!/bin/sh
# Debian packages the build and the tests need. Graphviz draws diagrams and maps, Noto CJK gives Chinese glyphs,
# Node.js runs the site's vendored KaTeX to draw formulas at build time, Chromium and poppler check the built site
# and PDF. The rest is the real software the snippets study: servers the runner starts (Redis, MariaDB, etcd,
# Nginx), libraries C snippets link (libzmq, Lua, DPDK, FUSE, protobuf, googletest) and tools the labs drive
# (valgrind, perf, wrk, crushtool, nftables, e2fsprogs …).
# Installs what is missing when run as root (or with sudo); otherwise says what to install.
set -e
PACKAGES="graphviz fonts-noto-cjk nodejs chromium poppler-utils gcc g++ make pkg-config
redis-server mariadb-server nginx fcgiwrap libfcgi-dev etcd-server etcd-client
libzmq3-dev liblua5.4-dev lua5.4 dpdk-dev libpcap-dev libfuse3-dev fuse3 e2fsprogs
valgrind libgtest-dev wrk linux-perf bpftrace strace protobuf-compiler libprotobuf-dev zlib1g-dev ninja-build
ceph-base iproute2 nftables tcpdump"
need=""
for pkg in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need="$need $pkg"
done
[ -z "$need" ] && exit 0
if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
  echo "missing Debian packages:$need (install them with apt-get)" >&2; exit 1; fi
echo "installing Debian packages:$need" >&2
$SUDO apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $need >/dev/null
