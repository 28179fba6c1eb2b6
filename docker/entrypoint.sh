#!/bin/sh
# The image's entrypoint (under tini): a nimlet command or option goes to nimlet; anything else is run as a plain
# command, so `docker run IMAGE bash` and `docker run IMAGE vllm serve …` work as users expect of an engine image.
# The command list mirrors src/cli/program.ts (test/docker/entrypoint.test.ts keeps them equal).
[ "$#" -gt 0 ] || exec /usr/local/bin/nimlet
case "$1" in
  -* | serve | list-model-profiles | select | gpus | download-to-cache | create-model-store | cache | manifest | doctor | help)
    exec /usr/local/bin/nimlet "$@" ;;
  *)
    exec "$@" ;;
esac
