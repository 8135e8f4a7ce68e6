#!/usr/bin/env bash
# The whole test suite on a fresh Debian/Ubuntu machine: installs what the tests need, builds, runs every
# test, and ends with one line "N passed, N failed". .ci/run calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(ffmpeg icecast2 redis-server docker-compose chromium fonts-wqy-microhei prometheus)
PROGRAMS=(ffmpeg ffprobe icecast2 redis-server docker-compose chromium prometheus promtool)

missing_programs() {
  local program
  for program in "${PROGRAMS[@]}"; do command -v "$program" >/dev/null 2>&1 || echo "$program"; done
  # The station page test reads CJK titles in Chromium: without a CJK font they are empty boxes.
  [ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || echo "fonts-wqy-microhei"
}

install_system_packages() {
  [ -z "$(missing_programs)" ] && return 0
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo=(sudo); else
      echo "missing programs: $(missing_programs | tr '\n' ' ')- install them with: sudo apt-get install -y ${APT_PACKAGES[*]}" >&2
      exit 1
    fi
  fi
  echo "installing ${APT_PACKAGES[*]} from Debian packages" >&2
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${APT_PACKAGES[@]}" >/dev/null
}

install_system_packages
npm ci --no-audit --no-fund --loglevel=error
npm run --silent build

rm -f test-results.json
set +e
npx vitest run "$@"
vitest_status=$?
set -e

node scripts/summarize-tests.mjs test-results.json "$vitest_status"
