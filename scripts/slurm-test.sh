#!/usr/bin/env bash
# Runs a small sweep as a SLURM job array on a throw-away single-node cluster (slurmctld + slurmd
# on this machine, munge authentication), merges the shards and checks the result equals a local
# run byte for byte. Needs root (slurmd) and Debian's slurm-wlm + munge (the dependency script installs
# them before the tests; a test never installs packages itself).
# usage: scripts/slurm-test.sh [LPUSIM_BINARY]        (default: build/lpusim)
# The cluster's files live in a temp folder; the daemons started here are stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$PWD
export PATH="$PATH:/usr/sbin:/sbin"  # slurmctld, slurmd and munged live there
BIN=$(readlink -f "${1:-build/lpusim}")
[ -x "$BIN" ] || { echo "slurm-test: no lpusim binary at $BIN" >&2; exit 1; }
# slurmd and munged need root; CTest reports exit 77 as skipped (CI runs as root).
[ "$(id -u)" -eq 0 ] || { echo "slurm-test: skipped: needs root for slurmd" >&2; exit 77; }

for p in slurmctld slurmd munged; do
  command -v "$p" >/dev/null || { echo "slurm-test: $p missing: install the project dependencies first (README quick start)" >&2; exit 1; }
done

WORK=$(mktemp -d /tmp/lpusim_slurm.XXXXXX)
chmod 755 "$WORK"
PIDS=()
cleanup() {
  for f in "$WORK"/slurmd.pid "$WORK"/slurmctld.pid "$WORK"/munge/munged.pid; do
    [ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null || true
  done
  sleep 1
  rm -rf "$WORK"
}
trap cleanup EXIT

# --- munge: a private key and socket, so nothing system-wide is touched --------------------------
mkdir -p "$WORK/munge"
chown munge:munge "$WORK/munge" 2>/dev/null || true
dd if=/dev/urandom bs=1 count=1024 of="$WORK/munge/munge.key" status=none
chown munge:munge "$WORK/munge/munge.key" 2>/dev/null || true
chmod 400 "$WORK/munge/munge.key"
SOCK="$WORK/munge/munge.socket"
runuser -u munge -- /usr/sbin/munged --key-file="$WORK/munge/munge.key" --socket="$SOCK" \
  --pid-file="$WORK/munge/munged.pid" --log-file="$WORK/munge/munged.log" --seed-file="$WORK/munge/munge.seed" \
  --force

# --- slurm.conf: one node (this machine), one partition -------------------------------------------
HOST=$(hostname -s 2>/dev/null || uname -n)
CPUS=$(nproc)
PORT_CTLD=${LPUSIM_SLURM_PORT:-16817}
PORT_D=$((PORT_CTLD + 1))
mkdir -p "$WORK/state" "$WORK/spool" "$WORK/log"
cat > "$WORK/slurm.conf" <<EOF
ClusterName=lpusimtest
SlurmctldHost=$HOST(127.0.0.1)
SlurmctldPort=$PORT_CTLD
SlurmdPort=$PORT_D
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$SOCK
CredType=cred/munge
StateSaveLocation=$WORK/state
SlurmdSpoolDir=$WORK/spool
SlurmctldPidFile=$WORK/slurmctld.pid
SlurmdPidFile=$WORK/slurmd.pid
SlurmctldLogFile=$WORK/log/slurmctld.log
SlurmdLogFile=$WORK/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
ReturnToService=2
NodeName=lpusimnode NodeHostname=$HOST NodeAddr=127.0.0.1 CPUs=$CPUS State=UNKNOWN
PartitionName=test Nodes=lpusimnode Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF="$WORK/slurm.conf"
/usr/sbin/slurmctld -f "$SLURM_CONF"
/usr/sbin/slurmd -f "$SLURM_CONF" -N lpusimnode

for i in $(seq 1 60); do
  state=$(sinfo -h -N -o %t 2>/dev/null | head -1 || true)
  [ "$state" = "idle" ] && break
  sleep 1
done
if [ "$state" != "idle" ]; then
  echo "slurm-test: the node did not come up (state '$state')" >&2
  tail -20 "$WORK/log/slurmctld.log" "$WORK/log/slurmd.log" >&2 || true
  exit 1
fi
echo "slurm-test: cluster up (node lpusimnode on $HOST, $CPUS CPUs)"

# --- the sweep as a 2-task job array, one shard per task (the documented recipe) ----------------
OUT="$WORK/out"
mkdir -p "$OUT"
chmod 777 "$OUT"
sed -e "s|@LPUSIM@|$BIN|" -e "s|@SWEEP@|$SRC/configs/sweeps/tiny.yaml|" -e "s|@OUT@|$OUT|" \
  scripts/slurm-sweep.sbatch > "$WORK/job.sbatch"
sbatch --wait --array=0-1 --output="$OUT/slurm-%A_%a.out" "$WORK/job.sbatch"
cat "$OUT"/slurm-*.out

"$BIN" sweep-merge "$OUT/shard1" "$OUT/shard2" -o "$OUT/merged"
"$BIN" sweep "$SRC/configs/sweeps/tiny.yaml" -o "$OUT/local" -j 2 >/dev/null 2>&1
for f in results.csv results.jsonl; do
  if ! cmp "$OUT/merged/$f" "$OUT/local/$f"; then
    echo "slurm-test: FAILED: merged $f differs from the local run" >&2
    exit 1
  fi
done
rows=$(($(wc -l < "$OUT/merged/results.jsonl")))
[ "$rows" -eq 5 ] || { echo "slurm-test: FAILED: expected 5 rows, got $rows" >&2; exit 1; }
echo "slurm-test: passed: 2 array tasks, merged $rows rows equal the local run byte for byte"
