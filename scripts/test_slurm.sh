#!/usr/bin/env bash
# The README's Slurm job-array recipe, end to end on a real Slurm.
#
# Starts a single-node Slurm (munged, slurmctld and slurmd, as root, with the
# configuration, state, spool, logs and munge key in a temporary folder; the
# system's Slurm and munge setup is not touched), takes the recipe's two
# ```bash blocks verbatim from README.md (the sweep.sbatch job array and the
# submission of it and of the merge) and the ```toml block "# grid.toml",
# submits them, waits for every job, and compares the merged layer, summary
# and aggregate CSVs byte for byte with one unsharded sweep of the same grid.
# The daemons are stopped and the folder removed on exit, also on failure.
#
# Needs root: installs slurm-wlm and munge with apt-get when missing (Debian).
# The node is declared with 16 CPUs (SlurmdParameters=config_overrides), so
# the recipe's --cpus-per-task=8 is schedulable on a small machine; two
# tasks of the array then run at a time.
#
# Usage: scripts/test_slurm.sh            Environment: GRADFLOW (default build/gradflow),
#   KEEP=1 keeps the temporary folder, SLURM_WAIT_S the most seconds to wait for the jobs (600).
# Exit code: 0 the merged files equal the unsharded sweep's; 1 otherwise.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
gradflow=$(realpath "${GRADFLOW:-$root/build/gradflow}")
[[ -x $gradflow ]] || { echo "test_slurm: no gradflow at '$gradflow' (build first)" >&2; exit 1; }
[[ $(id -u) == 0 ]] || { echo "test_slurm: run as root (it starts slurmd and munged)" >&2; exit 1; }
start=$(date +%s)

if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null ||
   ! command -v sbatch >/dev/null || ! command -v munged >/dev/null; then
  echo "test_slurm: installing slurm-wlm and munge" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    slurm-wlm munge >/dev/null
fi

tmp=$(mktemp -d /tmp/gradflow_slurm.XXXXXX)
pids=()
cleanup() {
  local code=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  if [[ $code != 0 ]]; then
    echo "test_slurm: FAILED; daemon logs:" >&2
    tail -n 5 "$tmp"/*.log "$tmp"/work/slurm-*.out >&2 2>/dev/null || true
  fi
  if [[ ${KEEP:-0} == 1 ]]; then echo "test_slurm: kept $tmp" >&2; else rm -rf "$tmp"; fi
  exit "$code"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# --- the README's blocks ---------------------------------------------------------------
# block FIRST_LINE_PATTERN LANG: the first ```LANG block whose first line matches.
block() {
  awk -v pattern="$1" -v lang="$2" '
    /^```/ { if (open) { open = 0; if (keep) exit; inside = 0; next }
             open = 1; inside = ($0 == "```" lang); first = 1; keep = 0; next }
    inside && first { first = 0; keep = ($0 ~ pattern) }
    inside && keep { print }' "$root/README.md"
}
mkdir -p "$tmp/work" "$tmp/unsharded" "$tmp/state" "$tmp/spool" "$tmp/munge"
block '^#!/bin/bash$' bash >"$tmp/work/sweep.sbatch"
block '^mkdir -p out$' bash >"$tmp/work/submit.sh"
block '^# grid.toml$' toml >"$tmp/work/grid.toml"
for f in sweep.sbatch submit.sh grid.toml; do
  [[ -s $tmp/work/$f ]] || { echo "test_slurm: README.md has no $f block" >&2; exit 1; }
done
grep -q 'SBATCH --array' "$tmp/work/sweep.sbatch" ||
  { echo "test_slurm: the README's #!/bin/bash block is not the job array" >&2; exit 1; }

# --- munge and Slurm in the temporary folder -------------------------------------------
mungekey --create --keyfile "$tmp/munge/munge.key" 2>/dev/null ||
  dd if=/dev/urandom of="$tmp/munge/munge.key" bs=1024 count=1 status=none
chmod 700 "$tmp/munge"
chmod 600 "$tmp/munge/munge.key"
munged --force --key-file "$tmp/munge/munge.key" --socket "$tmp/munge/munge.socket" \
  --pid-file "$tmp/munge/munged.pid" --log-file "$tmp/munged.log" --seed-file "$tmp/munge/seed" \
  --foreground 2>>"$tmp/munged.stderr.log" &
pids+=($!)
for _ in $(seq 50); do [[ -S $tmp/munge/munge.socket ]] && break; sleep 0.1; done

host=$(hostname -s)
port=$((20000 + RANDOM % 20000))
cat >"$tmp/slurm.conf" <<EOF
ClusterName=gradflowtest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$tmp/munge/munge.socket
CredType=cred/munge
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
SlurmdParameters=config_overrides
MinJobAge=600
NodeName=$host NodeAddr=127.0.0.1 CPUs=16 RealMemory=1000 State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$tmp/slurm.conf
slurmctld -D -i -f "$SLURM_CONF" 2>>"$tmp/slurmctld.stderr.log" &
pids+=($!)
slurmd -D -f "$SLURM_CONF" 2>>"$tmp/slurmd.stderr.log" &
pids+=($!)
for _ in $(seq 100); do
  sinfo -h -o %t 2>/dev/null | grep -qx 'idle' && break
  sleep 0.2
done
sinfo -h -o %t | grep -qx 'idle' || { echo "test_slurm: the node did not come up" >&2; exit 1; }
echo "test_slurm: Slurm up ($(sinfo --version)), node $host, $(($(date +%s) - start)) s" >&2

# --- the recipe, verbatim ---------------------------------------------------------------
cd "$tmp/work"
export PATH=$(dirname "$gradflow"):$PATH
bash -e submit.sh >submitted.txt
echo "test_slurm: submitted the array and the merge (job $(cat submitted.txt))" >&2
deadline=$(($(date +%s) + ${SLURM_WAIT_S:-600}))
# One squeue per look: with two, the jobs could finish between them, and an empty
# second answer read as "every job left can never start" (a failed CI run did so).
while reasons=$(squeue -h -o %r) && [[ -n $reasons ]]; do
  if [[ -z $(grep -v DependencyNeverSatisfied <<<"$reasons") ]]; then
    echo "test_slurm: the merge can never start: a task of the array failed" >&2
    squeue >&2
    exit 1
  fi
  (($(date +%s) < deadline)) ||
    { echo "test_slurm: jobs still queued after ${SLURM_WAIT_S:-600} s" >&2; squeue >&2; exit 1; }
  sleep 0.5
done
# Every job, the array's 16 tasks and the merge, must have completed with exit code 0:0.
states=$(scontrol show job -o | grep -o 'JobState=[A-Z_]* .* ExitCode=[0-9:]*' |
  sed 's/JobState=\([A-Z_]*\) .* ExitCode=\([0-9:]*\)/\1 \2/' | sort | uniq -c)
echo "test_slurm: job states: $(echo "$states" | tr -s ' \n' ' ')" >&2
if [[ $(echo "$states" | grep -vc ' COMPLETED 0:0$' || true) != 0 ]]; then
  echo "test_slurm: a job did not complete" >&2
  exit 1
fi
tasks=$(ls out/layers.*.csv | wc -l)
[[ $tasks == 16 ]] || { echo "test_slurm: $tasks shard files, expected 16" >&2; exit 1; }

# --- the unsharded sweep, and the comparison --------------------------------------------
"$gradflow" sweep --config grid.toml -q -o "$tmp/unsharded/layers.csv" \
  --summary-out "$tmp/unsharded/summary.csv" --aggregate-out "$tmp/unsharded/aggregate.csv"
for f in layers.csv summary.csv aggregate.csv; do
  cmp "$f" "$tmp/unsharded/$f" || { echo "test_slurm: $f differs from the unsharded sweep" >&2; exit 1; }
done
echo "test_slurm: PASS: 16 array tasks and the merge job ran on Slurm; layers.csv ($(($(wc -l <layers.csv) - 1)) rows), summary.csv and aggregate.csv equal the unsharded sweep byte for byte ($(($(date +%s) - start)) s)"
