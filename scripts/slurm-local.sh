#!/usr/bin/env bash
# A real one-node Slurm on this machine for the cluster tests (run as root):
#   scripts/slurm-local.sh start   munged, MariaDB, slurmdbd, slurmctld, slurmd; waits until a job can run
#   scripts/slurm-local.sh stop    stops all of them (only the processes this script started)
#   scripts/slurm-local.sh status  prints sinfo and whether sacct answers
# Idempotent: `start` on a running cluster returns at once; `stop` on a stopped one does nothing.
# Needs the Debian packages slurm-wlm, munge, mariadb-server, slurmdbd (scripts/debian-packages.txt).
# Besides /etc/slurm/slurm.conf it writes /etc/slurm/slurm-noaccounting.conf: the same cluster as a
# client configured without accounting sees it (sacct refuses; scontrol and the jobcomp log answer).
set -euo pipefail

STATE=${BIOMED_SLURM_STATE:-/var/lib/biomed-slurm}
CONF_DIR=/etc/slurm
CLUSTER=biomed
HOST=$(hostname -s)
# More CPUs than the machine has (config_overrides): tiny test jobs share the cores, so a sweep's
# array tasks and a long job run side by side instead of queueing behind each other.
NODE_CPUS=${BIOMED_SLURM_CPUS:-8}
NODE_MEM=${BIOMED_SLURM_MEM_MB:-16000}
# GPUs the node declares (gres.conf, count only: there is no real GPU; jobs asking --gres=gpu:N
# are scheduled against the count, and the worker on the node still picks what the node has).
NODE_GPUS=${BIOMED_SLURM_GPUS:-2}
DB_PASS=biomed-slurm-local

log() { echo "slurm-local: $*" >&2; }
running() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
wait_for() { # seconds, description, command...
  local secs=$1 what=$2
  shift 2
  for _ in $(seq 1 $((secs * 10))); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  log "timed out after ${secs}s waiting for $what"
  for f in "$STATE"/*.log /run/mysqld/biomed-slurm.log; do [ -f "$f" ] && { echo "--- $f" >&2; tail -n 20 "$f" >&2; }; done
  return 1
}

write_configs() {
  mkdir -p "$CONF_DIR" "$STATE/ctld" "$STATE/d" /var/log/slurm
  cat >"$STATE/slurm.conf.new" <<EOF
# Written by scripts/slurm-local.sh: a one-node test cluster.
ClusterName=$CLUSTER
SlurmctldHost=$HOST(127.0.0.1)
SlurmUser=root
AuthType=auth/munge
# A requeued (or preempted) job may start again after cred_expire + 1 s (default 120 s).
AuthInfo=cred_expire=10
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/d
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=$STATE/slurmctld.log
SlurmdLogFile=$STATE/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SlurmdParameters=config_overrides
ReturnToService=2
SchedulerType=sched/backfill
JobAcctGatherType=jobacct_gather/linux
JobAcctGatherFrequency=task=2
AccountingStorageType=accounting_storage/slurmdbd
AccountingStorageHost=localhost
JobCompType=jobcomp/filetxt
JobCompLoc=$STATE/jobcomp.txt
MinJobAge=600
GresTypes=gpu
# Preemption by QOS: a job of QOS urgent requeues a job of QOS scavenger holding what it needs
# (jobs of QOS normal, the rest of the suite, are never preempted).
PreemptType=preempt/qos
PreemptMode=REQUEUE
KillWait=5
InactiveLimit=0
MessageTimeout=10
NodeName=$HOST NodeAddr=127.0.0.1 CPUs=$NODE_CPUS RealMemory=$NODE_MEM Gres=gpu:$NODE_GPUS State=UNKNOWN
# A node that never starts (FUTURE) in a partition of its own: a partition without GPUs.
NodeName=cpuonly NodeAddr=127.0.0.2 CPUs=1 RealMemory=$NODE_MEM State=FUTURE
PartitionName=debug Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
PartitionName=cpu Nodes=cpuonly MaxTime=INFINITE State=UP
EOF
  # Slurm 22.05 drops a gpu line without File= (the node then reports 0 and goes INVAL) and
  # wants a character device per GPU: links to /dev/null stand in for them.
  local i
  for i in $(seq 0 $((NODE_GPUS - 1))); do ln -sfn /dev/null "$STATE/fake-gpu$i"; done
  cat >"$CONF_DIR/gres.conf" <<EOF
# Written by scripts/slurm-local.sh: $NODE_GPUS GPUs declared by count; no real device behind them.
AutoDetect=off
NodeName=$HOST Name=gpu File=$STATE/fake-gpu[0-$((NODE_GPUS - 1))]
EOF
  mv "$STATE/slurm.conf.new" "$CONF_DIR/slurm.conf"
  sed 's#^AccountingStorageType=.*#AccountingStorageType=accounting_storage/none#; /^AccountingStorageHost=/d' \
    "$CONF_DIR/slurm.conf" >"$CONF_DIR/slurm-noaccounting.conf"
  umask 077
  cat >"$CONF_DIR/slurmdbd.conf" <<EOF
DbdHost=localhost
SlurmUser=root
AuthType=auth/munge
PidFile=$STATE/slurmdbd.pid
LogFile=$STATE/slurmdbd.log
StorageType=accounting_storage/mysql
StorageHost=localhost
StorageUser=slurm
StoragePass=$DB_PASS
StorageLoc=slurm_acct_db
EOF
  chmod 600 "$CONF_DIR/slurmdbd.conf"
  umask 022
}

start_munge() {
  if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then return 0; fi
  [ -s /etc/munge/munge.key ] || mungekey --create --keyfile=/etc/munge/munge.key
  chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
  mkdir -p /run/munge /var/log/munge /var/lib/munge
  chown munge:munge /run/munge /var/log/munge /var/lib/munge
  runuser -u munge -- /usr/sbin/munged --force
  wait_for 10 munged sh -c 'munge -n | unmunge'
}

start_mariadb() {
  if ! mysqladmin ping >/dev/null 2>&1; then
    mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld
    [ -d /var/lib/mysql/mysql ] || mariadb-install-db --user=mysql >/dev/null
    (setsid /usr/sbin/mariadbd --user=mysql --bind-address=127.0.0.1 --pid-file=/run/mysqld/biomed-slurm.pid \
      --log-error=/run/mysqld/biomed-slurm.log </dev/null >/dev/null 2>&1 &)
    wait_for 30 MariaDB mysqladmin ping
  fi
  mysql -e "CREATE DATABASE IF NOT EXISTS slurm_acct_db;
    CREATE USER IF NOT EXISTS 'slurm'@'localhost' IDENTIFIED BY '$DB_PASS';
    GRANT ALL ON slurm_acct_db.* TO 'slurm'@'localhost'; FLUSH PRIVILEGES;"
}

start_slurm() {
  if ! running "$STATE/slurmdbd.pid"; then
    /usr/sbin/slurmdbd
    wait_for 30 slurmdbd sacctmgr -n list cluster
  fi
  if ! sacctmgr -n -P list cluster format=cluster | grep -qx "$CLUSTER"; then
    sacctmgr -i add cluster "$CLUSTER" >/dev/null
  fi
  # An account and the default QOS, so profiles with --account and --qos have something real.
  sacctmgr -n -P list account format=account | grep -qx biomed-lab ||
    sacctmgr -i add account biomed-lab cluster="$CLUSTER" >/dev/null
  sacctmgr -n -P list assoc user=root account=biomed-lab format=user | grep -qx root ||
    sacctmgr -i add user root account=biomed-lab cluster="$CLUSTER" >/dev/null
  # QOS for the preemption test: urgent preempts scavenger (PreemptMode=REQUEUE).
  sacctmgr -n -P list qos format=name | grep -qx scavenger || sacctmgr -i add qos scavenger >/dev/null
  sacctmgr -n -P list qos format=name | grep -qx urgent ||
    sacctmgr -i add qos urgent set preempt=scavenger priority=100 >/dev/null
  sacctmgr -i modify user root set qos+=scavenger,urgent >/dev/null 2>&1 || true
  running "$STATE/slurmctld.pid" || /usr/sbin/slurmctld
  wait_for 30 slurmctld scontrol ping
  running "$STATE/slurmd.pid" || /usr/sbin/slurmd
  # A node drained by an earlier configuration (a GRES count it could not find) comes back.
  sleep 1
  if sinfo -h -n "$HOST" -o %T | grep -Eq '^(drained|draining|inval)'; then
    scontrol update nodename="$HOST" state=resume 2>/dev/null || true
  fi
  wait_for 30 "node $HOST idle" sh -c "sinfo -h -n $HOST -o %T | grep -Eq '^(idle|mixed|allocated)'"
}

start() {
  if running "$STATE/slurmctld.pid" && running "$STATE/slurmd.pid" && running "$STATE/slurmdbd.pid" &&
    scontrol ping >/dev/null 2>&1 && sacct -n -X -S now >/dev/null 2>&1; then
    log "already running"
    return 0
  fi
  local t0=$SECONDS
  mkdir -p "$STATE"
  write_configs
  start_munge
  start_mariadb
  start_slurm
  log "cluster $CLUSTER up on $HOST ($NODE_CPUS CPUs) in $((SECONDS - t0)) s"
}

stop_pid() { # pidfile name
  if running "$1"; then
    local pid
    pid=$(cat "$1")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    log "stopped $2"
  fi
  rm -f "$1"
}

stop() {
  if running "$STATE/slurmctld.pid"; then scancel --quiet --user=root 2>/dev/null || true; fi
  stop_pid "$STATE/slurmd.pid" slurmd
  stop_pid "$STATE/slurmctld.pid" slurmctld
  stop_pid "$STATE/slurmdbd.pid" slurmdbd
  stop_pid /run/mysqld/biomed-slurm.pid MariaDB
  stop_pid /run/munge/munged.pid munged
}

case "${1:-}" in
start) start ;;
stop) stop ;;
status)
  sinfo
  sacct -n -X -S now >/dev/null 2>&1 && echo "sacct: ok" || echo "sacct: no accounting"
  ;;
*)
  echo "usage: $0 start|stop|status" >&2
  exit 2
  ;;
esac
