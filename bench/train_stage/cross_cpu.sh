#!/usr/bin/env bash
# bench/train_stage/cross_cpu.sh: the full known-answer set of every compute profile under
# qemu-user CPUs other than this one (CI's tests/cli/cross_cpu_test.sh runs one case each).
# Usage: bench/train_stage/cross_cpu.sh [BUILD_DIR]
set -euo pipefail
BUILD="${1:-build}"
here="$(cd "$(dirname "$0")" && pwd)"
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-), $(nproc) cores; $(uptime)"
s=$(date +%s)
POT_TOOL_DIR="$(cd "$BUILD/bin" && pwd)" POT_CROSS_CPU_CASES=all bash "$here/../../tests/cli/cross_cpu_test.sh"
echo "all cases, every profile and CPU: $(( $(date +%s) - s )) s"
