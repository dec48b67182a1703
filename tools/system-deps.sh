#!/bin/sh
# Debian packages the build and the tests need: Graphviz draws diagrams and maps, Noto CJK gives Chinese glyphs,
# Redis and MariaDB serve the snippets that need a real server, Chromium and poppler check the built site and PDF.
# Installs what is missing when run as root (or with sudo); otherwise says what to install.
set -e
need=""
command -v dot >/dev/null 2>&1 || need="$need graphviz"
[ -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || need="$need fonts-noto-cjk"
command -v redis-server >/dev/null 2>&1 || need="$need redis-server"
{ command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ]; } || need="$need mariadb-server"
command -v chromium >/dev/null 2>&1 || need="$need chromium"
command -v pdftotext >/dev/null 2>&1 || need="$need poppler-utils"
command -v cc >/dev/null 2>&1 || need="$need gcc"
[ -z "$need" ] && exit 0
if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
  echo "missing Debian packages:$need (install them with apt-get)" >&2; exit 1; fi
echo "installing Debian packages:$need" >&2
$SUDO apt-get update -qq
# shellcheck disable=SC2086
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $need >/dev/null
