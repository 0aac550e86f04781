#!/usr/bin/env bash
# The project's test command (README "Test it"): on a Debian or Ubuntu machine with the .NET SDK and
# Node.js, install what the tests need, then run `dotnet test DirectConnect.sln` (arguments go to it,
# e.g. ./test.sh --filter FullyQualifiedName~LoaTests). .ci/run runs this same script.
# Someone who already has the tools can run `dotnet test DirectConnect.sln` alone: it is the same run.
set -euo pipefail
cd "$(dirname "$0")"

echo "== install: npm tooling (buf; kubernetes-models for the manifest schemas; the TypeScript SDK workspace: protoc-gen-es, Connect, tsc, tsx; the console workspace: preact, esbuild, playwright-core, axe-core) =="
if ! command -v npm >/dev/null 2>&1; then
  echo "test.sh: npm (Node.js) is not on the PATH; install Node.js 20 or newer, then run ./test.sh again" >&2
  exit 2
fi
npm ci --no-audit --no-fund

# What the tests run besides .NET and Node.js, one Debian package each, installed only when missing:
#   chromium            the browser the console's tests drive headless with playwright-core (ConsoleBrowserTests)
#   fonts-dejavu-core   a TrueType font for the LOA-CFA PDF (LoaTests)
#   frr                 FRRouting's vtysh, which checks the generated FRR router configuration (RouterConfigurationFrrTests)
#   iputils-ping        ping, with which the data-plane end-to-end test sends an ICMP echo through the lab
#   zsh                 the shell whose completion script for dc CliTests loads (bash, the other one, is always there)
#   kubernetes-client   kubectl, which renders the Kubernetes overlays (DeploymentManifestTests); its kubectl 1.20
#                       renders them as a newer one does, which is why they use `bases` and `patchesStrategicMerge`
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
command -v vtysh >/dev/null 2>&1 || [ -x /usr/bin/vtysh ] || missing+=(frr)
command -v kubectl >/dev/null 2>&1 || missing+=(kubernetes-client)
command -v ping >/dev/null 2>&1 || [ -x /usr/bin/ping ] || missing+=(iputils-ping)
command -v zsh >/dev/null 2>&1 || missing+=(zsh)

if [ "${#missing[@]}" -gt 0 ]; then
  echo "== install: Debian packages ${missing[*]} =="
  if [ "$EUID" -eq 0 ]; then
    as_root=()
  elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
  else
    echo "test.sh: the tests need the Debian packages ${missing[*]}; installing them needs root, and there is no sudo." >&2
    echo "test.sh: run ./test.sh as root, or install them (apt-get install -y ${missing[*]}) and run it again." >&2
    exit 2
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: no apt-get here; install the equivalents of the Debian packages ${missing[*]} (a TrueType font such as DejaVu Sans, FRRouting's vtysh, kubectl, chromium, zsh) and run ./test.sh again" >&2
    exit 2
  fi
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi

echo "== test: dotnet test DirectConnect.sln =="
exec dotnet test DirectConnect.sln "$@"
