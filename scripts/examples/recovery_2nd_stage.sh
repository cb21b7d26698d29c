#!/bin/bash
# Online recovery, native replication, stage 2: recovery_2nd_stage_command = 'recovery_2nd_stage.sh'
# Same arguments as stage 1. pgwarden runs it once every client has disconnected (new ones wait), so the WAL
# archived here holds every committed write. Then pgpool_remote_start starts the target.
set -eu
# PostgreSQL tools refuse root: when started by root (e.g. by hand), run again as postgres.
if [ "$(id -u)" = 0 ]; then exec runuser -u postgres -- "$0" "$@"; fi

main_datadir=$1
dest_host=$2
dest_datadir=$3
main_port=$4
dest_node_id=$5
main_host=${7:-localhost}

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
LOG=${RECOVERY_LOG:-$main_datadir/recovery.log}
# pgwarden reads recovery.log back after each call (pgpool_recovery() would send stdout/stderr to the server log
# only): everything goes there, and the exit status is the last line.
exec >>"$LOG" 2>&1
trap 'rc=$?; echo "$(date "+%Y-%m-%d %H:%M:%S") recovery_2nd_stage.sh: exit status $rc"' EXIT
[ "$main_host" = localhost ] && main_host=127.0.0.1
psql_main() { "$PGBIN/psql" -X -At -h "$main_host" -p "$main_port" -U postgres "$@"; }
ARCHIVEDIR=${ARCHIVEDIR:-$(psql_main -d postgres -c 'SHOW archive_command' | sed -n "s|.*cp '%p' '\(.*\)/%f'.*|\1|p")}
echo "$(date '+%Y-%m-%d %H:%M:%S') recovery_2nd_stage.sh: args: $* (target $dest_host:$dest_datadir node $dest_node_id)" >>"$LOG"

# Sequences are WAL-logged 32 values ahead; setval(nextval) logs the exact state so the target does not jump ahead
# (pgpool_setup does the same in every database).
for db in $(psql_main -d postgres -c "SELECT datname FROM pg_database WHERE datallowconn"); do
  psql_main -d "$db" -c "SELECT setval(oid, nextval(oid)) FROM pg_class WHERE relkind = 'S'" >/dev/null
done

# Close the current WAL segment and wait for it in the archive (like pgpool_switch_xlog()).
walfile=$(psql_main -d postgres -c 'SELECT pg_walfile_name(pg_switch_wal())')
for _ in $(seq 1 600); do
  [ -f "$ARCHIVEDIR/$walfile" ] && break
  sleep 0.1
done
if [ ! -f "$ARCHIVEDIR/$walfile" ]; then
  echo "recovery_2nd_stage.sh: $walfile not archived in $ARCHIVEDIR after 60 s" >>"$LOG"
  exit 1
fi
# Remote target: rsync -a "$ARCHIVEDIR/" postgres@"$dest_host":"$ARCHIVEDIR/" (as the seed does).
echo "$(date '+%Y-%m-%d %H:%M:%S') recovery_2nd_stage.sh: archived $walfile" >>"$LOG"
