#!/usr/bin/env bash
# Fetch the browser assets of the published Data Docs from the npm registry, at the exact versions
# in include/dti/quality/offline_assets/manifest.json, so the pages open on a network without the
# internet. Rerun after changing the manifest (e.g. for a Great Expectations upgrade) and commit
# the result; SHA256SUMS lets anyone check the committed files against a fresh fetch.
set -euo pipefail
cd "$(dirname "$0")/.."

assets=include/dti/quality/offline_assets
manifest="$assets/manifest.json"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# One "name version file..." line per package; node comes with npm.
node -e '
  const manifest = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  for (const p of manifest.packages) console.log([p.name, p.version, ...p.files].join(" "));
' "$manifest" > "$work/packages"

find "$assets" -mindepth 1 -maxdepth 1 ! -name manifest.json ! -name README.md -exec rm -rf {} +

while read -r name version files; do
    tarball=$(npm pack "$name@$version" --pack-destination "$work" --silent)
    unpacked="$work/unpacked-${tarball%.tgz}"
    mkdir -p "$unpacked"
    tar -xzf "$work/$tarball" -C "$unpacked"
    target="$assets/$name@$version"
    for file in package.json $files; do
        install -D -m 0644 "$unpacked/package/$file" "$target/$file"
    done
    echo "vendored $name@$version"
done < "$work/packages"

(cd "$assets" && find . -type f ! -name manifest.json ! -name README.md ! -name SHA256SUMS -printf '%P\n' \
    | LC_ALL=C sort | xargs -d '\n' sha256sum > SHA256SUMS)
