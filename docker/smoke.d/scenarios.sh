# The acceptance scenarios of issue 6, sourced by docker/smoke after the image is built and the artifact server
# runs. Uses: $image, $volume, ${gpu[@]} (stand-in nvidia-smi, 8 × H100), ${net[@]} (host network + endpoint).
h100_id=f96bfd5855d8632b284515d7c9122fb62385ae32e87616913bad3637ab11c7aa
generic_id=ad9882e5098029b85d0b4fc6772ae11dac63179c1d9049f1c0a01513462b542d
json_field() { node -e 'let v=JSON.parse(require("fs").readFileSync(0,"utf8"));for(const k of process.argv[1].split("."))v=v?.[k];console.log(typeof v==="string"?v:JSON.stringify(v))' "$1"; }

log "list-model-profiles"
out=$(docker run --rm --network none "${gpu[@]}" "$image" list-model-profiles 2>&1); rc=$?
expect "list-model-profiles on 8 x H100: exit 0" 0 "$rc"
contains "list-model-profiles on 8 x H100: SYSTEM INFO" "SYSTEM INFO" "$out"
contains "list-model-profiles on 8 x H100: lists the GPUs" "H100" "$out"
contains "list-model-profiles on 8 x H100: the H100 profile is listed" "$h100_id (vllm-h100-bf16-tp2)" "$out"
out=$(docker run --rm --network none "$image" list-model-profiles 2>&1); rc=$?
expect "list-model-profiles without nvidia-smi: exit 0" 0 "$rc"
contains "list-model-profiles without nvidia-smi: says there is no GPU" "no GPU" "$out"
out=$(docker run --rm --network none "$image" 2>&1); rc=$?
expect "serve without a GPU: exit 69" 69 "$rc"
contains "serve without a GPU: gives the reason" "nvidia-smi" "$out"

log "serve --dry-run, then serve on a fresh cache volume"
dry=$(docker run --rm "${net[@]}" "${gpu[@]}" -v "$volume:/opt/nim/.cache" "$image" serve --dry-run --json 2>"$smoke_tmp/dry.err"); rc=$?
expect "serve --dry-run --json: exit 0" 0 "$rc"
want_argv=$(json_field argv <<<"$dry")
want_cuda=$(json_field env.CUDA_VISIBLE_DEVICES <<<"$dry")
expect "serve --dry-run: the H100 profile" "$h100_id" "$(json_field profile.id <<<"$dry")"
expect "serve --dry-run: downloads nothing" 0 "$(requests)"
containers+=("nimlet-smoke-1-$run_id")
docker run -d --name "nimlet-smoke-1-$run_id" "${net[@]}" "${gpu[@]}" -e NGC_API_KEY=smoke-ngc-key \
  -v "$volume:/opt/nim/.cache" "$image" >/dev/null
if wait_for_log "nimlet-smoke-1-$run_id" "fake-vllm: serving" 180; then pass "serve: the engine starts"; else fail "serve: the engine starts" "$(docker logs "nimlet-smoke-1-$run_id" 2>&1 | tail -30)"; fi
logs=$(docker logs "nimlet-smoke-1-$run_id" 2>&1)
expect "serve: the engine's argv is the one serve --dry-run shows" "$want_argv" "$(engine_argv_json <<<"$logs")"
expect "serve --dry-run: CUDA_VISIBLE_DEVICES = the chosen GPUs' nvidia-smi indices" "0,1" "$want_cuda"
contains "serve: CUDA_VISIBLE_DEVICES = the chosen GPUs' indices" "fake-vllm: env CUDA_VISIBLE_DEVICES=$want_cuda" "$logs"
contains "serve: the engine gets no NGC_API_KEY" "fake-vllm: env NGC_API_KEY unset" "$logs"
contains "serve: the model folder holds config.json" "fake-vllm: file ./config.json" "$logs"
contains "serve: the model folder holds model.safetensors" "fake-vllm: file ./model.safetensors" "$logs"
contains "serve: the engine runs as uid 1000" "fake-vllm: start uid=1000" "$logs"
reqs=$(cat "$server_log" 2>/dev/null)
contains "serve: config.json came from the artifact server" '"path":"/v2/org/smoke-org/models/tiny-llm/versions/1.0-h100-tp2/files/config.json","status":200' "$reqs"
contains "serve: model.safetensors came from the artifact server" '/versions/1.0-h100-tp2/files/model.safetensors","status":200' "$reqs"
contains "serve: NGC_API_KEY went to the NGC endpoint as a bearer token" '"authorization":"Bearer ***"' "$reqs"
lacks "serve: the API key is in no log line" "smoke-ngc-key" "$logs"
docker stop -t 20 "nimlet-smoke-1-$run_id" >/dev/null
expect "docker stop: the container's exit code is the engine's (42)" 42 "$(docker inspect -f '{{.State.ExitCode}}' "nimlet-smoke-1-$run_id")"
contains "docker stop: the engine got SIGTERM" "fake-vllm: got SIGTERM" "$(docker logs "nimlet-smoke-1-$run_id" 2>&1)"

log "a second container on the same volume"
: >"$server_log"
containers+=("nimlet-smoke-2-$run_id")
docker run -d --name "nimlet-smoke-2-$run_id" "${net[@]}" "${gpu[@]}" -v "$volume:/opt/nim/.cache" "$image" >/dev/null
if wait_for_log "nimlet-smoke-2-$run_id" "fake-vllm: serving" 120; then pass "warm cache: the engine starts"; else fail "warm cache: the engine starts" "$(docker logs "nimlet-smoke-2-$run_id" 2>&1 | tail -30)"; fi
expect "warm cache: zero requests to the artifact server" 0 "$(requests)"
expect "warm cache: same argv" "$want_argv" "$(docker logs "nimlet-smoke-2-$run_id" 2>&1 | engine_argv_json)"
docker stop -t 20 "nimlet-smoke-2-$run_id" >/dev/null

log "NIM_MODEL_PROFILE pins"
dry=$(docker run --rm --network none "${gpu[@]}" -e NIM_MODEL_PROFILE=vllm-bf16-tp1 "$image" serve --dry-run --json 2>/dev/null)
want_pinned_argv=$(json_field argv <<<"$dry")
# a workspace is named by the profile's own content (DESIGN §15), the same in every cache: the dry run names it
want_pinned_dir=$(json_field modelDir <<<"$dry")
containers+=("nimlet-smoke-3-$run_id")
docker run -d --name "nimlet-smoke-3-$run_id" "${net[@]}" "${gpu[@]}" -e NIM_MODEL_PROFILE=vllm-bf16-tp1 \
  -e FAKE_ENGINE_EXIT=0 -v "$volume:/opt/nim/.cache" "$image" >/dev/null
if wait_for_log "nimlet-smoke-3-$run_id" "fake-vllm: serving" 120; then pass "pin by name: the engine starts"; else fail "pin by name: the engine starts" "$(docker logs "nimlet-smoke-3-$run_id" 2>&1 | tail -30)"; fi
logs=$(docker logs "nimlet-smoke-3-$run_id" 2>&1)
expect "pin by name: the dry run names a workspace under the cache" "/opt/nim/.cache/profiles/" "${want_pinned_dir%/*}/"
contains "pin by name: the pinned profile's folder" "fake-vllm: argv[2]=$want_pinned_dir" "$logs"
# the folder is keyed by workspace (src/cache/layout.ts), not by id: its completion marker names the profile
marker=$(docker run --rm --network none -v "$volume:/opt/nim/.cache" "$image" cat "$want_pinned_dir/.nimlet-complete" 2>&1)
contains "pin by name: the pinned profile's folder (its marker names the profile)" "\"id\": \"$generic_id\"" "$marker"
contains "pin by name: tp 1" $'fake-vllm: argv[9]=--tensor-parallel-size\nfake-vllm: argv[10]=1\n' "$logs"
expect "pin by name: the argv serve --dry-run shows with the pin" "$want_pinned_argv" "$(engine_argv_json <<<"$logs")"
contains "pin by name: the relative source from the image is there" "fake-vllm: file ./chat_template.jinja" "$logs"
docker stop -t 20 "nimlet-smoke-3-$run_id" >/dev/null
expect "pin by name: the engine's exit code 0 is the container's" 0 "$(docker inspect -f '{{.State.ExitCode}}' "nimlet-smoke-3-$run_id")"
out=$(docker run --rm --network none "${gpu[@]}" -e NIM_MODEL_PROFILE=ad9882e5 "$image" select --json 2>&1); rc=$?
expect "pin by id prefix: select picks it" "$generic_id" "$(json_field id <<<"$out" 2>/dev/null)"
out=$(docker run --rm --network none "${gpu[@]}" -e NIM_MODEL_PROFILE=no-such-profile "$image" 2>&1); rc=$?
expect "unknown pin: exit 78" 78 "$rc"
contains "unknown pin: names NIM_MODEL_PROFILE" "NIM_MODEL_PROFILE" "$out"

log "an image with only vLLM (issue 10): the NIM 1.x example manifest on 8 x H100"
expect "the Dockerfile's ENGINES default is the image's NIMLET_ENGINES" vllm "$(docker run --rm --network none "$image" sh -c 'echo "$NIMLET_ENGINES"' 2>&1)"
nim1=(-v "$root/manifests/llama-3.1-8b-instruct.nim1.yaml:/opt/nim/nim1.yaml:ro" -e NIMLET_MANIFEST=/opt/nim/nim1.yaml)
listing=$(docker run --rm --network none "${gpu[@]}" "${nim1[@]}" "$image" list-model-profiles --json 2>"$smoke_tmp/nim1.err"); rc=$?
expect "vLLM image, NIM 1.x example: list-model-profiles exits 0" 0 "$rc"
verdict=$(node -e '
  const l = JSON.parse(require("fs").readFileSync(0, "utf8"));
  const others = l.profiles.filter((p) => p.tags.llm_engine !== "vllm");
  const bad = others.filter((p) => p.status !== "incompatible" || p.reasons[0] !== `engine ${p.tags.llm_engine} is not in this image; it has vllm`);
  console.log(`${others.length} others, ${bad.length} not refused for the engine; selected ${l.profiles.find((p) => p.id === l.selected)?.name}`);
' <<<"$listing" 2>&1)
expect "vLLM image: every TensorRT-LLM and SGLang profile incompatible with the engine reason; best vLLM selected" \
  "19 others, 0 not refused for the engine; selected vllm-fp8-tp1" "$verdict"
out=$(docker run --rm --network none "${gpu[@]}" "${nim1[@]}" "$image" select --json 2>&1)
expect "vLLM image: select picks the best vLLM profile" vllm-fp8-tp1 "$(json_field name <<<"$out" 2>/dev/null)"
: >"$server_log"
out=$(docker run --rm "${net[@]}" "${gpu[@]}" "${nim1[@]}" -e NGC_API_KEY=smoke-ngc-key -e NIMLET_RETRY_ATTEMPTS=1 \
  -v "$volume-nim1:/opt/nim/.cache" "$image" 2>&1); rc=$?
docker volume rm -f "$volume-nim1" >/dev/null 2>&1
# the artifact server has none of the example's files: serve stops at the first 404, after asking only for the vLLM profile's
asked=$(node -e '
  const paths = require("fs").readFileSync(0, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l).path);
  const other = paths.filter((p) => !p.includes("/models/llama-3.1-8b-instruct/versions/hf-0e9e39f-fp8/files/"));
  console.log(`${paths.length > 0 ? "asked" : "nothing asked"}, ${other.length} outside vllm-fp8-tp1`);
' <"$server_log" 2>&1)
expect "vLLM image: serve asks the registry only for the vLLM profile's files" "asked, 0 outside vllm-fp8-tp1" "$asked"
out=$(docker run --rm --network none "${gpu[@]}" "${nim1[@]}" -e NIM_MODEL_PROFILE=tensorrt_llm-h100-fp8-tp1-throughput "$image" 2>&1); rc=$?
expect "vLLM image: a TensorRT-LLM pin exits 69" 69 "$rc"
contains "vLLM image: the pin's error names the image to use" "ENGINE_IMAGE=nvcr.io/nvidia/tensorrt-llm/release" "$out"

log "plain commands, user, wrappers"
expect "docker run IMAGE bash -c 'echo ok' prints ok" ok "$(docker run --rm --network none "$image" bash -c 'echo ok' 2>&1)"
expect "the container runs as uid 1000" 1000 "$(docker run --rm --network none "$image" id -u 2>&1)"
expect "PID 1 is tini" tini "$(docker run --rm --network none "$image" sh -c 'basename "$(tr "\0" "\n" </proc/1/cmdline | head -1)"' 2>&1)"
out=$(docker run --rm --network none -v "$volume-fresh:/opt/nim/.cache" "$image" sh -c 'touch /opt/nim/.cache/probe && stat -c %u /opt/nim/.cache' 2>&1)
expect "a fresh named cache volume is owned and writable by uid 1000" 1000 "$out"
for c in list-model-profiles download-to-cache create-model-store; do
  out=$(docker run --rm --network none "$image" "$c" --help 2>&1); rc=$?
  expect "$c is a command on PATH (--help exits 0)" 0 "$rc"
  contains "$c on PATH runs nimlet's $c" "Usage: nimlet $c" "$out"
done
out=$(docker run --rm --network none "$image" sh -c 'echo "$NIM_CACHE_PATH"; test -s /opt/nim/etc/default/model_manifest.yaml && echo manifest' 2>&1)
expect "NIM_CACHE_PATH and the baked-in manifest" $'/opt/nim/.cache\nmanifest' "$out"

log "size: nimlet's layers on top of the engine base"
base_bytes=$(docker image inspect -f '{{.Size}}' "$smoke_engine")
image_bytes=$(docker image inspect -f '{{.Size}}' "$image")
added=$((image_bytes - base_bytes))
base_layers=$(docker history -q "$smoke_engine" | wc -l)
docker history --no-trunc --format '{{.Size}}\t{{.CreatedBy}}' "$image" | head -n $(( $(docker history -q "$image" | wc -l) - base_layers )) \
  | sed -E 's/\t(.{0,110}).*/\t\1/; s/^/  /'
printf 'nimlet adds %s bytes (%s MB) to the engine base image (limit 60 MB)\n' "$added" "$(awk "BEGIN{printf \"%.1f\", $added/1e6}")"
if [ "$added" -le 60000000 ]; then pass "nimlet's layers add <= 60 MB"; else fail "nimlet's layers add <= 60 MB" "$added bytes"; fi

log "the front, probed as a kubelet probes it (issue 14)"
# kube-probe: an HTTP GET, success is 200-399; prints "STATUS BODY" (0 when refused)
kube_probe() { node -e 'require("http").get(process.argv[1],{headers:{"user-agent":"kube-probe/1.30"}},r=>{let b="";r.on("data",c=>b+=c);r.on("end",()=>console.log(r.statusCode+" "+b))}).on("error",()=>console.log("0 "))' "$1"; }
front_port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
front_c="nimlet-smoke-front-$run_id"
containers+=("$front_c")
# the stand-in OpenAI engine from the tests as the image's vllm: /health 503 until /tmp/healthy exists
docker run -d --name "$front_c" "${net[@]}" "${gpu[@]}" -e NIM_SERVER_PORT="$front_port" -e NIMLET_ENGINE_PORT=0 \
  -e NIMLET_DRAIN_DELAY_MS=1000 -e FAKE_ENGINE_HEALTH_FILE=/tmp/healthy -e FAKE_ENGINE_EXIT_CODE=9 \
  -e NIMLET_VLLM_CMD="node /opt/front-engine" -v "$root/test/fixtures/engines/fake-openai-engine:/opt/front-engine:ro" \
  -v "$volume:/opt/nim/.cache" "$image" >/dev/null
front_url=http://127.0.0.1:$front_port
live=''; for _ in $(seq 1 100); do live=$(kube_probe "$front_url/v1/health/live"); [ "${live%% *}" = 200 ] && break; sleep 0.2; done
expect "front: liveness 200" '200 {"status":"live"}' "$live"
ready=''; for _ in $(seq 1 150); do ready=$(kube_probe "$front_url/v1/health/ready"); [[ $ready == *'"stage":"starting"'*'/health answered 503'* ]] && break; sleep 0.2; done
contains "front: readiness 503 while the engine's /health is 503" '503 {"status":"not ready","stage":"starting"' "$ready"
docker exec "$front_c" touch /tmp/healthy
for _ in $(seq 1 100); do ready=$(kube_probe "$front_url/v1/health/ready"); [ "${ready%% *}" = 200 ] && break; sleep 0.2; done
expect "front: readiness 200 once the engine's /health is" '200 {"status":"ready"}' "$ready"
contains "front: /v1/models passes through" '"object":"list"' "$(kube_probe "$front_url/v1/models")"
expect "front: /v1/metadata names the profile" "$h100_id" "$(kube_probe "$front_url/v1/metadata" | cut -d' ' -f2- | json_field profile.id)"
metrics=$(kube_probe "$front_url/v1/metrics")
contains "front: /v1/metrics has the engine's series" 'vllm:num_requests_running' "$metrics"
contains "front: /v1/metrics has nimlet's own" 'nimlet_time_to_ready_seconds' "$metrics"
docker stop -t 30 "$front_c" >/dev/null
expect "front: docker stop drains, then the engine's exit code (9) is the container's" 9 "$(docker inspect -f '{{.State.ExitCode}}' "$front_c")"
contains "front: the drain is logged" 'SIGTERM: not ready' "$(docker logs "$front_c" 2>&1)"
