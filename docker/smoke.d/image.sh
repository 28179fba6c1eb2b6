# The smoke test's image: the real docker/Dockerfile on the local stand-in bases (bases.sh), with the smoke
# manifest baked in. Sourced by docker/smoke and by the Kubernetes pod-spec step (.ci/steps/k8s), which runs
# this same image as the NIM Operator's objects name it. Needs $smoke_engine, $smoke_node (prepare_bases) and a
# log file. build_smoke_image IMAGE LOG
build_smoke_image() {
  [ -f dist/cli/main.js ] || npx tsc -p tsconfig.build.json >/dev/null 2>&1
  local started; started=$(date +%s)
  DOCKER_BUILDKIT=0 docker build --network host -f docker/Dockerfile -t "$1" \
    --build-arg ENGINE_IMAGE="$smoke_engine" --build-arg NODE_IMAGE="$smoke_node" \
    --build-arg MANIFEST=docker/smoke.d/model_manifest.yaml --build-arg MANIFEST_FILES=docker/smoke.d/files \
    . >"$2" 2>&1 || { tail -40 "$2"; return 1; }
  echo "built $1 in $(( $(date +%s) - started ))s"
}
