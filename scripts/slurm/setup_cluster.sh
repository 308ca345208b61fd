#!/usr/bin/env bash
# A real one-node SLURM on this machine, for the tests of the submitit_slurm launcher
# (tests/integration/test_slurm.py). Debian's slurm-wlm 22.05 and munge, run as root.
#
#   sudo scripts/slurm/setup_cluster.sh        # idempotent: a second call only checks
#
# What it does: installs slurm-wlm and munge with apt-get (if missing), writes a one-node
# /etc/slurm/slurm.conf describing THIS machine (CPUs and memory read from the kernel; no GPUs,
# no cgroups, proctrack/linuxproc, no accounting database), creates a munge key, starts munged,
# slurmctld and slurmd, and waits until `sinfo` shows the node idle.
#
# This is a test fixture, not a production cluster. To use the harness on a real cluster you do
# not run this script: point the launcher at your cluster instead (scripts/slurm/README.md):
#   harness-eval -m +launcher=submitit_slurm hydra.launcher.partition=gpu \
#       hydra.launcher.account=my_account experiment=r1_table
set -euo pipefail

CONF_DIR=/etc/slurm
STATE_DIR=/var/spool/slurmctld
SPOOL_DIR=/var/spool/slurmd
LOG_DIR=/var/log/slurm
NODE=$(hostname -s)
CPUS=$(nproc)
# RealMemory in MB; leave ~1 GB for the OS so slurmd does not drain the node for "low memory".
MEM_MB=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024 ))

log() { echo "[setup_cluster] $*"; }

if [[ $(id -u) -ne 0 ]]; then
  echo "run as root (apt-get, /etc/slurm, daemons)" >&2
  exit 1
fi

# Already up? Then there is nothing to do.
if command -v sinfo >/dev/null && sinfo -h -n "$NODE" -o '%t' 2>/dev/null | grep -qx idle; then
  log "node $NODE already idle"
  sinfo
  exit 0
fi

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  log "installing slurm-wlm and munge (apt-get)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # slurm-wlm pulls slurmctld, slurmd and the client tools (sbatch, squeue, sinfo, scancel).
  apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
fi

mkdir -p "$CONF_DIR" "$STATE_DIR" "$SPOOL_DIR" "$LOG_DIR" /run/munge /var/log/munge
# Runs as root on a CI machine: SlurmUser and SlurmdUser are root, so no slurm user is needed.
cat >"$CONF_DIR/slurm.conf" <<EOF
# Written by scripts/slurm/setup_cluster.sh: one node, this machine ($CPUS CPUs, $MEM_MB MB).
ClusterName=r1harness
SlurmctldHost=$NODE
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
# No cgroups (containers rarely allow them): processes are tracked through /proc.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
# No accounting database (slurmdbd): jobs are not recorded after they finish.
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
# cons_tres schedules CPUs and memory, so several small jobs share the node.
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
StateSaveLocation=$STATE_DIR
SlurmdSpoolDir=$SPOOL_DIR
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=$LOG_DIR/slurmctld.log
SlurmdLogFile=$LOG_DIR/slurmd.log
ReturnToService=2
MpiDefault=none
# Short timers so a test run does not wait on defaults meant for big clusters.
SlurmdTimeout=30
InactiveLimit=0
KillWait=5
MinJobAge=60
NodeName=$NODE CPUs=$CPUS RealMemory=$MEM_MB State=UNKNOWN
PartitionName=debug Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF

if [[ ! -s /etc/munge/munge.key ]]; then
  log "creating the munge key"
  mkdir -p /etc/munge
  dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key status=none
fi
chown -R munge:munge /etc/munge /run/munge /var/log/munge /var/lib/munge 2>/dev/null || true
chmod 0700 /etc/munge
chmod 0400 /etc/munge/munge.key

# Start each daemon unless it already runs (no systemd in containers: start them directly).
if ! pgrep -x munged >/dev/null; then
  log "starting munged"
  runuser -u munge -- /usr/sbin/munged || /usr/sbin/munged --force
fi
if ! pgrep -x slurmctld >/dev/null; then
  log "starting slurmctld"
  /usr/sbin/slurmctld
fi
if ! pgrep -x slurmd >/dev/null; then
  log "starting slurmd"
  /usr/sbin/slurmd
fi

# Wait up to 60 s for the node to register and become idle.
for _ in $(seq 60); do
  state=$(sinfo -h -n "$NODE" -o '%t' 2>/dev/null || true)
  if [[ $state == idle ]]; then
    log "node $NODE idle"
    sinfo
    exit 0
  fi
  # A node left "down" or "drain" by an earlier start comes back with an explicit resume.
  if [[ $state == down* || $state == drain* ]]; then
    scontrol update nodename="$NODE" state=resume 2>/dev/null || true
  fi
  sleep 1
done
echo "node $NODE did not become idle; see $LOG_DIR/slurmctld.log and $LOG_DIR/slurmd.log" >&2
sinfo >&2 || true
exit 1
