#!/usr/bin/env bash
# The GPU-runner smoke test: on a host with a real NVIDIA GPU and driver, checks what no fake can prove.
#   1. `nimlet gpus --json` agrees with `nvidia-smi -L`: count, order, UUIDs, names.
#   2. `list-model-profiles` picks the hardware-specific profile of a manifest written here for this host's GPU
#      (its PCI device id read from nvidia-smi), over a generic one.
#   3. `serve` hands exactly the chosen GPUs to the engine, as nvidia-smi indices with CUDA_DEVICE_ORDER=PCI_BUS_ID
#      (a MIG device as its MIG- UUID): the engine is a stand-in (NIMLET_VLLM_CMD, NIMLET_SGLANG_CMD) that asks the
#      CUDA driver itself (libcuda through Python's ctypes, no packages) which devices it sees, whose UUIDs must be
#      the chosen GPUs', in order. With 2+ GPUs, again with nimlet restricted to the last GPU only, so the index
#      the engine gets is not 0 and CUDA's own numbering (fastest first) would pick another GPU.
#   4. With NIMLET_IMAGE set (an image built from docker/Dockerfile) and Docker's NVIDIA runtime: the container
#      started with --gpus all reports the same GPUs.
# Run from anywhere: test/gpu/smoke.sh (builds dist/ when missing). Needs bash, node, nvidia-smi; python3 and
# libcuda.so.1 for the CUDA check (skipped, and said so, without them). Ends with `N passed, M failed`.
# CI: .github/workflows/gpu-smoke.yml on self-hosted runners labelled `gpu`. It cannot run without a GPU.
set -uo pipefail
cd "$(dirname "$0")/../.."
passed=0 failed=0 skipped=0
pass() { passed=$((passed + 1)); echo "ok   - $1"; }
fail() { failed=$((failed + 1)); echo "FAIL - $1"; [ $# -lt 2 ] || echo "       $2"; }
skip() { skipped=$((skipped + 1)); echo "skip - $1 ($2)"; }
expect() { if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "wanted: $2 | got: $3"; fi; }
finish() { echo "$passed passed, $failed failed, $skipped skipped"; [ "$failed" -eq 0 ]; exit; }
json() { node -e 'let v=JSON.parse(require("fs").readFileSync(0,"utf8"));for(const k of process.argv[1].split(".").filter(Boolean))v=v?.[k];console.log(typeof v==="string"?v:JSON.stringify(v))' "$1"; }

if ! command -v nvidia-smi >/dev/null || ! nvidia-smi -L >/dev/null 2>&1; then
  echo "gpu smoke: this host has no working nvidia-smi (no NVIDIA GPU or driver): run it on a GPU runner"
  fail "nvidia-smi -L works on this host"; finish
fi
[ -f dist/cli/main.js ] || npm run build >/dev/null || { fail "npm run build"; finish; }
tmp=$(mktemp -d /tmp/nimlet-gpu-smoke.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
# The runner's own visibility settings would make nimlet see fewer GPUs than nvidia-smi -L lists.
nimlet() { env -u CUDA_VISIBLE_DEVICES -u NVIDIA_VISIBLE_DEVICES -u NIM_MODEL_PROFILE NIM_CACHE_PATH="$tmp/cache" node bin/nimlet "$@"; }
nvidia-smi -L | tee "$tmp/L.txt"

echo "--- 1. gpus --json against nvidia-smi -L"
nimlet gpus --json >"$tmp/gpus.json" || fail "nimlet gpus --json exits 0"
# "GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-…)"; MIG devices are indented lines below their GPU.
smi=$(sed -n -E 's/^GPU ([0-9]+): (.*) \(UUID: (GPU-[^)]+)\)$/\1|\2|\3/p' "$tmp/L.txt")
ours=$(node -e 'for (const g of JSON.parse(require("fs").readFileSync(0,"utf8")).gpus) console.log(`${g.index}|${g.name}|${g.uuid}`)' <"$tmp/gpus.json")
expect "the same number of GPUs" "$(wc -l <<<"$smi")" "$(wc -l <<<"$ours")"
expect "the same indices, names and UUIDs, in order" "$smi" "$ours"

echo "--- 2. list-model-profiles picks this GPU's hardware-specific profile"
read -r device mig < <(nvidia-smi --query-gpu=pci.device_id,mig.mode.current --format=csv,noheader -i 0 | tr -d ' ' | tr ',' ' ')
# 0x233010DE → 2330:10de, as NIM's gpu_device tag writes it
gpu_device=$(echo "${device#0x}" | tr 'A-F' 'a-f' | sed -E 's/^(.{4})(.{4})$/\1:\2/')
same=$(nvidia-smi --query-gpu=index,pci.device_id --format=csv,noheader | tr -d ' ' | awk -F, -v d="$device" '$2==d {print $1}')
count=$(wc -l <<<"$same")
tp=1; [ "$count" -ge 2 ] && tp=2
echo "GPU 0: pci.device_id $device → gpu_device $gpu_device; $count GPU(s) of that model; MIG: $mig; expecting tp $tp"
hw_id=$(printf 'a%.0s' $(seq 64)) generic_id=$(printf 'b%.0s' $(seq 64))
mkdir -p "$tmp/files" && printf '{"model_type": "gpu-smoke"}\n' >"$tmp/files/config.json"
sha=$(sha256sum "$tmp/files/config.json" | cut -c1-64) size=$(stat -c %s "$tmp/files/config.json")
files="        config.json: {uri: files/config.json, sha256: $sha, size: $size}"
cat >"$tmp/model_manifest.yaml" <<EOF
schema_version: 2.0.0
profile_selection_criteria: default
profiles:
  - id: $hw_id
    tags: {llm_engine: vllm, precision: fp16, tp: $tp, pp: 1, gpu_device: "$gpu_device", feat_lora: false}
    workspace:
      files:
$files
  - id: $generic_id
    tags: {llm_engine: vllm, precision: fp16, tp: 1, pp: 1, feat_lora: false}
    workspace:
      files:
$files
EOF
want_id=$hw_id
# A GPU in MIG mode is no whole GPU: hardware-specific profiles never match it (DESIGN §5).
[ "$mig" = Enabled ] && want_id=$generic_id && tp=1 && echo "GPU 0 is in MIG mode: the generic profile is expected"
nimlet list-model-profiles --manifest "$tmp/model_manifest.yaml" | tee "$tmp/listing.txt"
nimlet list-model-profiles --manifest "$tmp/model_manifest.yaml" --json >"$tmp/listing.json"
expect "list-model-profiles selects the profile for this GPU" "$want_id" "$(json selected <"$tmp/listing.json")"
nimlet select --manifest "$tmp/model_manifest.yaml" --json >"$tmp/select.json"
chosen=$(json gpus <"$tmp/select.json")
[ "$mig" = Enabled ] || expect "select takes the lowest indices of that model" "$(head -n "$tp" <<<"$same" | paste -sd, | sed 's/^/[/; s/$/]/')" "$chosen"

echo "--- 3. serve hands exactly the chosen GPUs to the engine"
cat >"$tmp/engine" <<'EOF'
#!/usr/bin/env bash
# Stand-in engine: what it was given, then what the CUDA driver sees under that CUDA_VISIBLE_DEVICES.
echo "engine: CUDA_VISIBLE_DEVICES=${CUDA_VISIBLE_DEVICES-<unset>}"
echo "engine: CUDA_DEVICE_ORDER=${CUDA_DEVICE_ORDER-<unset>}"
command -v python3 >/dev/null || { echo "engine: cuda unavailable: no python3"; exit 0; }
exec python3 - <<'PY'
import ctypes
try:
    cuda = ctypes.CDLL("libcuda.so.1")
except OSError as e:
    print(f"engine: cuda unavailable: {e}"); raise SystemExit(0)
if cuda.cuInit(0) != 0:
    print("engine: cuda unavailable: cuInit failed"); raise SystemExit(0)
n = ctypes.c_int()
cuda.cuDeviceGetCount(ctypes.byref(n))
for i in range(n.value):
    dev, uuid = ctypes.c_int(), (ctypes.c_ubyte * 16)()
    cuda.cuDeviceGet(ctypes.byref(dev), i)
    cuda.cuDeviceGetUuid(uuid, dev)
    h = bytes(uuid).hex()
    print(f"engine: cuda device {i} GPU-{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}")
PY
EOF
chmod +x "$tmp/engine"
# serve_and_check LABEL MANIFEST SELECT_JSON [VAR=VALUE…]: serve with the stand-in engine, then compare what it got
# and what CUDA saw with the GPUs select chose.
serve_and_check() {
  local label=$1 manifest=$2 select_json=$3; shift 3
  env -u CUDA_VISIBLE_DEVICES -u NVIDIA_VISIBLE_DEVICES -u NIM_MODEL_PROFILE "$@" NIM_CACHE_PATH="$tmp/cache" \
    NIMLET_VLLM_CMD="$tmp/engine" NIMLET_SGLANG_CMD="$tmp/engine" node bin/nimlet serve --manifest "$manifest" >"$tmp/serve.out" 2>"$tmp/serve.err"
  local rc=$?; cat "$tmp/serve.out"
  expect "$label: serve exits with the engine's code (0)" 0 "$rc"
  [ "$rc" -eq 0 ] || sed 's/^/       /' "$tmp/serve.err"
  local want_devices want_uuids
  want_devices=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(0, "utf8")).cudaDevices.join(","))' <"$select_json")
  want_uuids=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(0, "utf8")).deviceUuids.join(","))' <"$select_json")
  expect "$label: the engine gets CUDA_VISIBLE_DEVICES = the chosen devices (indices; MIG- UUIDs)" \
    "engine: CUDA_VISIBLE_DEVICES=$want_devices" "$(grep '^engine: CUDA_VISIBLE_DEVICES=' "$tmp/serve.out")"
  expect "$label: the engine gets CUDA_DEVICE_ORDER=PCI_BUS_ID" "engine: CUDA_DEVICE_ORDER=PCI_BUS_ID" "$(grep '^engine: CUDA_DEVICE_ORDER=' "$tmp/serve.out")"
  if grep -q '^engine: cuda unavailable' "$tmp/serve.out"; then
    skip "$label: CUDA sees exactly the chosen GPUs" "$(sed -n 's/^engine: cuda unavailable: //p' "$tmp/serve.out")"
  elif [[ $want_uuids == MIG-* ]]; then
    # cuDeviceGetUuid names a MIG instance by another UUID than nvidia-smi's MIG- one: count only
    expect "$label: CUDA sees exactly one device (the MIG device)" 1 "$(grep -c '^engine: cuda device ' "$tmp/serve.out")"
  else
    expect "$label: CUDA sees exactly the chosen GPUs, in order" "$(tr ',' '\n' <<<"$want_uuids")" "$(sed -n 's/^engine: cuda device [0-9]* //p' "$tmp/serve.out")"
  fi
}
serve_and_check "lowest GPUs" "$tmp/model_manifest.yaml" "$tmp/select.json"
total=$(wc -l <<<"$smi")
if [ "$mig" != Enabled ] && [ "$total" -ge 2 ]; then
  last=$((total - 1))
  # only the last GPU counts for nimlet: the generic tp1 profile runs there, as index $last
  env -u NVIDIA_VISIBLE_DEVICES CUDA_VISIBLE_DEVICES="$last" NIM_CACHE_PATH="$tmp/cache" node bin/nimlet select --manifest "$tmp/model_manifest.yaml" --profile "$generic_id" --json >"$tmp/select-last.json"
  expect "restricted to GPU $last: select puts the generic profile there" "[$last]" "$(json gpus <"$tmp/select-last.json")"
  serve_and_check "GPU $last only" "$tmp/model_manifest.yaml" "$tmp/select-last.json" CUDA_VISIBLE_DEVICES="$last" NIM_MODEL_PROFILE="$generic_id"
else
  skip "a GPU other than 0 alone" "one GPU, or MIG mode"
fi

echo "--- 4. the container image (NIMLET_IMAGE)"
if [ -z "${NIMLET_IMAGE:-}" ]; then
  skip "the container sees the same GPUs" "NIMLET_IMAGE is not set"
elif ! grep -qi 'runtimes:.*nvidia' <<<"$(docker info 2>/dev/null)"; then # not a pipe: grep -q would SIGPIPE docker under pipefail
  skip "the container sees the same GPUs" "Docker has no nvidia runtime here"
else
  out=$(docker run --rm --gpus all --network none "$NIMLET_IMAGE" gpus --json 2>&1)
  expect "docker run --gpus all IMAGE gpus --json: the same UUIDs as nvidia-smi -L" \
    "$(cut -d'|' -f3 <<<"$smi")" "$(node -e 'for (const g of JSON.parse(require("fs").readFileSync(0,"utf8")).gpus) console.log(g.uuid)' <<<"$out" 2>&1)"
fi
finish
