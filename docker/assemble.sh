#!/bin/sh
# Builds the whole root filesystem of a final image, which starts FROM scratch:
# the Deno binary, the programs named below, the shared libraries they link
# (found with ldd), the app's files under /app, a passwd entry for the numeric
# user, an empty /tmp (the tmpfs mounts there) and nothing else: no shell, no
# package manager. Runs in a build stage.
#
#   assemble.sh <out dir> <uid> <program>... -- <app path>...
# App paths are relative to the current dir and copied to <out>/app/.
set -eu
out=$1 uid=$2
shift 2
programs=/usr/local/bin/deno
while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do programs="$programs $(command -v "$1")"; shift; done
[ "$#" -gt 0 ] && shift
mkdir -p "$out/app" "$out/etc" "$out/tmp" "$out/usr/lib" "$out/usr/lib64" "$out/usr/bin" "$out/usr/local/bin"
# Debian's merged /usr: keep /lib and /lib64 as the links the binaries' paths go through.
ln -s usr/lib "$out/lib"
ln -s usr/lib64 "$out/lib64"
ln -s usr/bin "$out/bin"
for p in $programs; do cp "$p" "$out$p"; done
for lib in $(ldd $programs | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// && $2 ~ /^\(/ { print $1 }' | sort -u); do
  real=$(readlink -f "$lib")
  mkdir -p "$out$(dirname "$real")"
  cp "$real" "$out$real"
  # The path the binaries ask for, when the file has another (libcap.so.2 -> libcap.so.2.66, /lib64/ld-linux…).
  [ -e "$out$lib" ] || [ -L "$out$lib" ] || ln -s "$real" "$out$lib"
done
printf 'root:x:0:0::/:/usr/sbin/nologin\ncodemode:x:%s:%s::/tmp:/usr/sbin/nologin\n' "$uid" "$uid" >"$out/etc/passwd"
printf 'root:x:0:\ncodemode:x:%s:\n' "$uid" >"$out/etc/group"
for path in "$@"; do
  mkdir -p "$out/app/$(dirname "$path")"
  cp -R "$path" "$out/app/$path"
done
# Everything is root's and read-only to the service's user; /tmp is the tmpfs's mount point.
chown -R 0:0 "$out"
chmod -R go-w "$out"
chmod 1777 "$out/tmp"
