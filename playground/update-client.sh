#!/usr/bin/env bash
# The playground's copy of the official socket.io-client browser bundle.
#
#   playground/update-client.sh            fetch the pinned version again and check its hash
#   playground/update-client.sh --check    check the committed bundle against the pin (no network)
#   playground/update-client.sh 4.8.5      pin another version: fetch it, write the bundle and
#                                          the new sha256 to vendor/manifest.json (review the diff)
#
# The bundle is committed: `cargo xtask serve` and the tests never fetch it.
# npm fetches the package from the npm registry and checks the registry's own
# integrity hash; the sha256 in the manifest pins the one file we serve.
set -euo pipefail
cd "$(dirname "$0")"

manifest=vendor/manifest.json
bundle=vendor/socket.io.min.js
field() { sed -n "s/.*\"$1\": *\"\([^\"]*\)\".*/\1/p" "$manifest"; }
sha256() { sha256sum "$1" | cut -d' ' -f1; }

pinned_version=$(field version)
pinned_sha=$(field sha256)

if [ "${1:-}" = "--check" ]; then
  actual=$(sha256 "$bundle")
  if [ "$actual" != "$pinned_sha" ]; then
    echo "playground: $bundle has sha256 $actual, the manifest pins $pinned_sha" >&2
    exit 1
  fi
  echo "playground: $bundle is socket.io-client $pinned_version (sha256 matches)"
  exit 0
fi

version=${1:-$pinned_version}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "socket.io-client@$version" >/dev/null)
tar -xzf "$work/socket.io-client-$version.tgz" -C "$work" package/dist/socket.io.min.js
fetched="$work/package/dist/socket.io.min.js"
actual=$(sha256 "$fetched")

if [ "$version" = "$pinned_version" ]; then
  if [ "$actual" != "$pinned_sha" ]; then
    echo "playground: socket.io-client $version has sha256 $actual, the manifest pins $pinned_sha; not written" >&2
    exit 1
  fi
else
  echo "playground: pinning socket.io-client $version (was $pinned_version), sha256 $actual"
fi
cp "$fetched" "$bundle"
cat >"$manifest" <<EOF
{
  "package": "socket.io-client",
  "version": "$version",
  "file": "dist/socket.io.min.js",
  "sha256": "$actual"
}
EOF
echo "playground: wrote $bundle (socket.io-client $version)"
