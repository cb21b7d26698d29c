#!/bin/bash
# pgwarden / pgpool-II failover_command example for nodes on ONE host (tests, demo). Configure as:
#   failover_command = '/path/failover.sh %d %h %p %D %m %H %M %P %r %R %N %S'
# Runs as the pgwarden user, synchronously inside failover: keep it short and never connect to pgwarden itself.
#
# If the failed node was the primary (or there was no primary, %P = -1), promote the new main node. A standby
# failure needs nothing here: pgwarden has already detached it.
#
# Remote hosts: replace `as_pg "$PGBIN/pg_ctl" ... promote` with
#   ssh -T -o StrictHostKeyChecking=no postgres@"$new_main_host" "$PGBIN/pg_ctl -w -D '$new_main_datadir' promote"
# (key-based ssh from the pgwarden user to postgres@each node; -w is simpler there, and pgwarden polls for the new
# primary every 50 ms for the first 3 s after the command anyway).
set -u

failed_node_id=$1       # %d
failed_host=$2          # %h
failed_port=$3          # %p
failed_datadir=$4       # %D
new_main_id=$5          # %m  (-1: no node left)
new_main_host=$6        # %H
old_main_id=$7          # %M
old_primary_id=$8       # %P  (-1: there was no primary)
new_main_port=$9        # %r
new_main_datadir=${10}  # %R
old_primary_host=${11:-}  # %N
old_primary_port=${12:-}  # %S

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
LOG=${FAILOVER_LOG:-${failed_datadir%/*}/failover.log}

# Timestamps with ms from bash builtins: no fork per line (failover time is spent here).
log() {
  local now=${EPOCHREALTIME/,/.} ts frac
  frac=${now#*.}
  printf -v ts '%(%Y-%m-%d %H:%M:%S)T' "${now%.*}"
  printf '%s.%s failover.sh: %s\n' "$ts" "${frac:0:3}" "$*" >>"$LOG"
}
# pg_ctl refuses to run as root: switch to the postgres OS user when pgwarden runs as root.
as_pg() { if [ "$EUID" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

log "args: $*"
log "failed=$failed_node_id ($failed_host:$failed_port $failed_datadir) new_main=$new_main_id ($new_main_host:$new_main_port $new_main_datadir) old_main=$old_main_id old_primary=$old_primary_id ($old_primary_host:$old_primary_port)"

if [ "$new_main_id" -lt 0 ]; then
  log "no new main node: nothing to do"
  exit 0
fi

if [ "$failed_node_id" != "$old_primary_id" ] && [ "$old_primary_id" != "-1" ]; then
  log "failed node was not primary: nothing to do"
  exit 0
fi

# Native replication (no standby.signal): every node is writable, nothing to promote.
if [ ! -f "$new_main_datadir/standby.signal" ]; then
  log "new main node $new_main_id is not a standby: nothing to promote"
  exit 0
fi

log "promoting node $new_main_id ($new_main_datadir)"
# `pg_ctl -w promote` checks pg_control only every 100 ms; promotion itself takes some 50 ms. Signal without -w, then
# watch pg_control every 10 ms (up to 60 s), so pgwarden searches for the new primary as soon as it is one.
if ! as_pg "$PGBIN/pg_ctl" -D "$new_main_datadir" promote >>"$LOG" 2>&1; then
  log "promote of node $new_main_id FAILED"
  exit 1
fi
for _ in $(seq 6000); do
  if as_pg "$PGBIN/pg_controldata" "$new_main_datadir" 2>/dev/null | grep -q '^Database cluster state: *in production'; then
    log "promoted node $new_main_id"
    exit 0
  fi
  sleep 0.01
done
log "promote of node $new_main_id FAILED: still in recovery after 60 s"
exit 1
