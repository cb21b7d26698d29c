#!/bin/bash
# Online recovery, native replication, stage 1: recovery_1st_stage_command = 'recovery_1st_stage.sh'
# Lives in the MAIN node's data directory; pgpool_recovery() runs it there as postgres with
#   $1 main data dir  $2 target host  $3 target data dir  $4 main port  $5 target node id  $6 target port  $7 main host
# Clients still run during this stage: take a base backup of the main node and prepare the target to replay the
# main node's archived WAL (restore_command + recovery.signal). Stage 2 archives the last WAL once clients are gone;
# pgpool_remote_start then starts the target, which replays the archive to its end and opens read-write.
# (The 2009 seed did pg_start_backup + rsync + pg_stop_backup; since PostgreSQL 15 exclusive backups are gone, and
# pg_basebackup does the same in one session.)
#
# Remote target: run pg_basebackup on the target (ssh postgres@"$dest_host" ...) and make ARCHIVEDIR reachable
# from it (rsync the archive in stage 2, as the seed does, or a shared mount).
set -eu
# PostgreSQL tools refuse root: when started by root (e.g. by hand), run again as postgres.
if [ "$(id -u)" = 0 ]; then exec runuser -u postgres -- "$0" "$@"; fi

main_datadir=$1
dest_host=$2
dest_datadir=$3
main_port=$4
dest_node_id=$5
dest_port=$6
main_host=${7:-localhost}

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
LOG=${RECOVERY_LOG:-$main_datadir/recovery.log}
# pgwarden reads recovery.log back after each call (pgpool_recovery() would send stdout/stderr to the server log
# only): everything goes there, and the exit status is the last line.
exec >>"$LOG" 2>&1
trap 'rc=$?; echo "$(date "+%Y-%m-%d %H:%M:%S") recovery_1st_stage.sh: exit status $rc"' EXIT
[ "$main_host" = localhost ] && main_host=127.0.0.1
psql_main() { "$PGBIN/psql" -X -At -h "$main_host" -p "$main_port" -U postgres -d postgres "$@"; }

# The main node's WAL archive: from its archive_command "... cp '%p' '<dir>/%f'" unless ARCHIVEDIR is set.
ARCHIVEDIR=${ARCHIVEDIR:-$(psql_main -c 'SHOW archive_command' | sed -n "s|.*cp '%p' '\(.*\)/%f'.*|\1|p")}
echo "$(date '+%Y-%m-%d %H:%M:%S') recovery_1st_stage.sh: args: $* archive=$ARCHIVEDIR" >>"$LOG"
[ -n "$ARCHIVEDIR" ] || { echo "recovery_1st_stage.sh: cannot find the archive dir (set ARCHIVEDIR)" >>"$LOG"; exit 1; }

rm -rf "$dest_datadir"
"$PGBIN/pg_basebackup" -D "$dest_datadir" -X stream -c fast \
  -d "host=$main_host port=$main_port user=postgres application_name=recovery_node$dest_node_id" >>"$LOG" 2>&1

cat >>"$dest_datadir/postgresql.auto.conf" <<CONF
# online recovery (native replication): replay the main node's archive, then open read-write
restore_command = 'cp "$ARCHIVEDIR/%f" "%p"'
recovery_target_timeline = 'latest'
CONF
if [ "$dest_host" = localhost ] || [ "$dest_host" = 127.0.0.1 ]; then
  echo "port = $dest_port" >>"$dest_datadir/postgresql.auto.conf"
fi
touch "$dest_datadir/recovery.signal"
echo "$(date '+%Y-%m-%d %H:%M:%S') recovery_1st_stage.sh: base backup of node $dest_node_id done" >>"$LOG"
