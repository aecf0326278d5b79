#!/bin/sh
# Starts the sharded run so that every pod sends from one common instant (`run --start-at`):
# writes the instant (now + the lead time) into the cognito-harness-start ConfigMap, which the
# Job's pods read as CH_START_AT, then (re)creates the scenario ConfigMap and the Job.
#
#   deploy/kubernetes/start.sh [--lead SECONDS] [--out s3://bucket/prefix]
#
# --lead: must cover scheduling every pod, pulling the image and each shard's setup (its share
#   of setup.users at setup.rate per second); default 180 s. A shard that is not ready in time
#   still sends all its iterations, from their intended times, and its report says how late.
# --out s3://bucket/prefix: the shards upload their reports there (credentials from the pod:
#   IRSA, Pod Identity or the secret's AWS variables) and the Job needs no shared volume.
#   Without it the reports go to the cognito-harness-reports volume (pvc.yaml).
set -eu
lead=180
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --lead) lead="${2:-}"; shift 2 || shift ;;
    --out) out="${2:-}"; shift 2 || shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "start.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
case "$lead" in
  '' | *[!0-9]*) echo "start.sh: --lead takes whole seconds, got '$lead'" >&2; exit 2 ;;
esac
case "$out" in
  '' | s3://?*) ;;
  *) echo "start.sh: --out takes s3://bucket/prefix, got '$out'" >&2; exit 2 ;;
esac
here=$(dirname "$0")
at=$(( $(date -u +%s) + lead ))
# GNU date, then BSD date.
start_at=$(date -u -d "@$at" +%Y-%m-%dT%H:%M:%SZ 2>/dev/null || date -u -r "$at" +%Y-%m-%dT%H:%M:%SZ)

set -- --from-literal=CH_START_AT="$start_at"
if [ -n "$out" ]; then
  set -- "$@" --from-literal=CH_OUT="$out"
fi
kubectl create configmap cognito-harness-start "$@" --dry-run=client -o yaml | kubectl apply -f -
kubectl apply -f "$here/configmap.yaml"
# A Job's pod template cannot be changed: the previous run's Job is replaced.
kubectl delete job cognito-harness-load --ignore-not-found
if [ -n "$out" ]; then
  # Reports in S3: the Job without the shared reports volume (the "test" operations make the
  # patch fail, rather than remove something else, if job.yaml's volumes are reordered).
  kubectl patch --local -f "$here/job.yaml" --type=json -o yaml -p '[
    {"op": "test", "path": "/spec/template/spec/volumes/1/name", "value": "reports"},
    {"op": "remove", "path": "/spec/template/spec/volumes/1"},
    {"op": "test", "path": "/spec/template/spec/containers/0/volumeMounts/1/name", "value": "reports"},
    {"op": "remove", "path": "/spec/template/spec/containers/0/volumeMounts/1"}
  ]' | kubectl apply -f -
else
  kubectl apply -f "$here/job.yaml"
fi
echo "the shards start sending at $start_at (in $lead s)"
