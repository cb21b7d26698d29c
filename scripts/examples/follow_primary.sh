#!/bin/bash
# pgwarden / pgpool-II follow_primary_command example for nodes on ONE host (streaming replication):
#   follow_primary_command = 'PCP_PORT=9898 PCPPASSFILE=/path/.pcppass /path/follow_primary.sh %d %h %p %D %m %H %M %P %r %R'
# Called for every node except the new primary after a failover. Re-points a running standby at the new primary
# (primary_conninfo in postgresql.auto.conf), restarts it as a standby and re-attaches it with pcp_attach_node.
# A stopped node (e.g. the old primary) is skipped: it needs online recovery (pcp_recovery_node).
#
# Remote hosts: run the sed/touch/pg_ctl lines through
#   ssh -T postgres@"$node_host" "..."
# and keep pcp_attach_node local (it talks to pgwarden).
set -u

node_id=$1              # %d
node_host=$2            # %h
node_port=$3            # %p
node_datadir=$4         # %D
new_primary_id=$5       # %m
new_primary_host=$6     # %H
old_main_id=$7          # %M
old_primary_id=$8       # %P
new_primary_port=$9     # %r
new_primary_datadir=${10}  # %R

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
PCP_BIN=${PCP_BIN:-/usr/sbin}
PCP_PORT=${PCP_PORT:-9898}
PCP_USER=${PCP_USER:-pgwarden}
LOG=${FAILOVER_LOG:-$(dirname "$node_datadir")/failover.log}
# Server log of the restarted standby (pg_ctl restart does not remember -l).
PG_LOGFILE=${PG_LOGFILE:-$(dirname "$node_datadir")/postgres.log}
export PCPPASSFILE=${PCPPASSFILE:-$HOME/.pcppass}

log() { echo "$(date '+%Y-%m-%d %H:%M:%S') follow_primary.sh: $*" >>"$LOG"; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

log "args: $*"
if [ "$node_id" = "$new_primary_id" ]; then
  log "node $node_id is the new primary: nothing to do"
  exit 0
fi

if ! as_pg "$PGBIN/pg_ctl" -D "$node_datadir" status >/dev/null 2>&1; then
  log "node $node_id ($node_datadir) is not running: skipping (recover it with pcp_recovery_node)"
  exit 0
fi

log "re-pointing node $node_id ($node_host:$node_port) at new primary $new_primary_id ($new_primary_host:$new_primary_port, old primary $old_primary_id, old main $old_main_id)"
conf="$node_datadir/postgresql.auto.conf"
as_pg sed -i \
  -e "/^primary_conninfo/s/port=[0-9]*/port=$new_primary_port/" \
  -e "/^primary_conninfo/s/host=[^ ']*/host=$new_primary_host/" \
  "$conf"
as_pg touch "$node_datadir/standby.signal"

if ! as_pg "$PGBIN/pg_ctl" -w -t 60 -m fast -D "$node_datadir" -l "$PG_LOGFILE" restart >>"$LOG" 2>&1; then
  log "restart of node $node_id FAILED: recover it with pcp_recovery_node"
  exit 1
fi

if "$PCP_BIN/pcp_attach_node" -w -h localhost -p "$PCP_PORT" -U "$PCP_USER" -n "$node_id" >>"$LOG" 2>&1; then
  log "node $node_id attached"
  exit 0
fi
log "pcp_attach_node -n $node_id FAILED"
exit 1
