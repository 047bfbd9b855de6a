#!/usr/bin/env bash
# A real single-node SLURM on this machine, without systemd, for testing `snakemake --executor slurm`.
#
#   sudo scripts/slurm-localhost.sh install   # Debian packages slurmctld slurmd slurm-client munge
#   sudo scripts/slurm-localhost.sh start     # write /etc/slurm/slurm.conf, start munged, slurmctld, slurmd
#   scripts/slurm-localhost.sh status         # sinfo
#   sudo scripts/slurm-localhost.sh stop      # stop the daemons this script started, restore slurm.conf
#
# `stop` leaves the machine as `start` found it: a slurm.conf pointing at a stopped controller
# makes every later `snakemake` start wait ~10 s (the executor plugin's `scontrol show config`
# retries port 6817 ten times), so the conf written here is removed, or the one it replaced put back.
# Facts this relies on (measured on this kind of machine): the munge key exists after install but
# /run/munge does not; with the hostname not resolvable as a node, NodeName=localhost plus
# `slurmd -N localhost` works; DefMemPerCPU keeps one job from taking the node's whole memory;
# without accounting storage `sacct` fails, so the executor plugin must poll with squeue, and
# MinJobAge keeps finished jobs visible to squeue long enough.
set -euo pipefail

STATE=/var/run/resbench-slurm          # pid files of the daemons started here
CONF=/etc/slurm/slurm.conf
PARTITION=debug

need_root() { [[ $(id -u) == 0 ]] || { echo "slurm-localhost: run as root (sudo $0 $1)" >&2; exit 2; }; }

install() {
    need_root install
    if command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v munged >/dev/null \
        && command -v sbatch >/dev/null; then
        echo "slurm-localhost: already installed ($(slurmctld -V))"
        return
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q slurmctld slurmd slurm-client munge >/dev/null \
        || { apt-get update -q >/dev/null && apt-get install -y -q slurmctld slurmd slurm-client munge >/dev/null; }
    echo "slurm-localhost: installed $(slurmctld -V)"
}

write_conf() {
    local cpus mem_mb
    cpus=$(nproc)
    mem_mb=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024 ))
    mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm "$STATE"
    if [[ ! -f "$STATE/conf.written" ]]; then  # remember what was there before the first start
        if [[ -f "$CONF" ]]; then cp -p "$CONF" "$STATE/slurm.conf.before"; fi
        touch "$STATE/conf.written"
    fi
    cat > "$CONF" <<EOF
# Written by resbench scripts/slurm-localhost.sh: one node (this machine), one partition, no accounting.
ClusterName=resbench
SlurmctldHost=localhost
SlurmUser=root
AuthType=auth/munge
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldPidFile=$STATE/slurmctld.pid
SlurmdPidFile=$STATE/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=1000
MinJobAge=300
ReturnToService=2
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MpiDefault=none
NodeName=localhost CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=$PARTITION Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
}

start() {
    need_root start
    command -v slurmctld >/dev/null || { echo "slurm-localhost: not installed; run '$0 install' first" >&2; exit 2; }
    write_conf
    mkdir -p /run/munge && chown munge:munge /run/munge
    if ! pgrep -x munged >/dev/null; then
        runuser -u munge -- munged --force
        echo started > "$STATE/munged.started"
    fi
    pgrep -x slurmctld >/dev/null || slurmctld -i
    pgrep -x slurmd >/dev/null || slurmd -N localhost
    for _ in $(seq 1 30); do  # the node reports idle within a second or two
        if sinfo -h -N -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
            echo "slurm-localhost: up (partition $PARTITION, $(nproc) CPUs)"
            return
        fi
        sleep 1
    done
    echo "slurm-localhost: the node did not come up; see /var/log/slurm/" >&2
    exit 1
}

stop() {
    need_root stop
    for daemon in slurmd slurmctld; do
        if [[ -f "$STATE/$daemon.pid" ]]; then
            kill "$(cat "$STATE/$daemon.pid")" 2>/dev/null || true
            rm -f "$STATE/$daemon.pid"
        fi
    done
    if [[ -f "$STATE/munged.started" ]]; then
        pkill -x munged || true
        rm -f "$STATE/munged.started"
    fi
    for _ in $(seq 1 20); do  # give the daemons time to exit
        pgrep -x 'slurmd|slurmctld' >/dev/null || break
        sleep 0.5
    done
    if [[ -f "$STATE/conf.written" ]]; then
        if [[ -f "$STATE/slurm.conf.before" ]]; then mv -f "$STATE/slurm.conf.before" "$CONF"; else rm -f "$CONF"; fi
        rm -f "$STATE/conf.written"
    fi
    echo "slurm-localhost: stopped"
}

status() { sinfo; }

case "${1:-}" in
    install) install ;;
    start) start ;;
    stop) stop ;;
    status) status ;;
    *) sed -n '2,13p' "$0"; exit 2 ;;
esac
