#!/usr/bin/env bash
# Makes the Debian base image (tagged like the official one, e.g. debian:bookworm-slim) from
# Debian's packages with debootstrap, for machines that cannot pull it. Trimmed like -slim:
# no docs, man pages or locales, no recommends.
# Usage: debootstrap.sh <image-ref> <suite> <mirror> <cache-key>
set -euo pipefail
ref=$1 suite=$2 mirror=$3 key=$4
command -v debootstrap >/dev/null || { echo "debootstrap is missing: run 'npm run setup' (or apt-get install debootstrap)" >&2; exit 1; }
root=$(mktemp -d /tmp/kubelab-rootfs-XXXXXX)
trap 'rm -rf "$root"' EXIT
echo "debootstrap --variant=minbase $suite from $mirror (a few minutes) ..."
debootstrap --variant=minbase "$suite" "$root" "$mirror" | grep -E '^I: (Retrieving|Validating|Extracting|Installing|Configuring|Base)' | awk 'NR % 25 == 1 || /Base system/'
printf 'deb %s %s main\ndeb %s %s-updates main\ndeb %s-security %s-security main\n' \
  "$mirror" "$suite" "$mirror" "$suite" "${mirror%/debian}/debian" "$suite" > "$root/etc/apt/sources.list"
printf 'path-exclude /usr/share/doc/*\npath-include /usr/share/doc/*/copyright\npath-exclude /usr/share/man/*\npath-exclude /usr/share/locale/*\n' \
  > "$root/etc/dpkg/dpkg.cfg.d/kubelab-slim"
echo 'APT::Install-Recommends "false";' > "$root/etc/apt/apt.conf.d/99-kubelab-no-recommends"
rm -rf "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/var/cache/apt/*.bin "$root"/var/lib/apt/lists/* "$root"/var/log/*.log
tar --numeric-owner -C "$root" -c . | docker import --change 'CMD ["bash"]' --change "LABEL dev.kubelab.key=$key" - "$ref" >/dev/null
echo "imported $ref ($(du -sh "$root" | cut -f1))"
