#!/usr/bin/env bash
# The model campaign: every session trains the emotion model in the background from the checkpoint
# committed in git, and stops cleanly 25 minutes before the session ends.
#
#   models/training/campaign.sh start MINUTES_LEFT_IN_SESSION [--data DIR] [-- extra train.py flags]
#   models/training/campaign.sh status     # pid, last log lines, best so far
#   models/training/campaign.sh pause      # kill -STOP (while measuring benchmarks)
#   models/training/campaign.sh continue   # kill -CONT
#   models/training/campaign.sh stop       # SIGTERM-free stop: wait for the run to finish its schedule
#   models/training/campaign.sh promote    # best.pt -> checkpoints/effnetb3-fer2013-48.pt (fp16), if better
#   models/training/campaign.sh finish VERSION   # stop, promote, and if better: export ONNX (flip TTA if it
#                                          # adds >= 0.3 points), parity check, latency, face reference, card
#
# The run directory is models/training/runs/campaign-<UTC date-time> (git-ignored); `runs/campaign` links
# to the newest. What to do with the result (evaluate, export, parity, model card, commit): README.md.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
PY=${PYTHON:-/usr/bin/python3}
checkpoint="$here/checkpoints/effnetb3-fer2013-48.pt"
runs="$here/runs"
link="$runs/campaign"
margin=${CAMPAIGN_MARGIN_MINUTES:-25}

die() { echo "campaign: $*" >&2; exit 1; }
pid_of() { [ -f "$link/pid" ] && cat "$link/pid"; }
alive() { local p; p=$(pid_of) && [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }

cmd=${1:-}; shift || true
case "$cmd" in
  start)
    minutes=${1:-}; shift || true
    [[ "$minutes" =~ ^[0-9]+$ ]] || die "start needs the minutes left in the session, e.g. 'start 170'"
    data=${CAMPAIGN_DATA:-$root/../shared/datasets/fer2013}
    if [ "${1:-}" = "--data" ]; then data=$2; shift 2; fi
    [ "${1:-}" = "--" ] && shift
    [ -f "$data/train-images.u8.xz" ] || die "no FER2013 data in $data (--data DIR)"
    [ -f "$checkpoint" ] || die "no committed checkpoint $checkpoint"
    alive && die "a campaign is already running (pid $(pid_of)); 'status' or 'stop' it first"
    budget=$((minutes - margin))
    [ "$budget" -ge 20 ] || die "$minutes minutes left leave $budget to train after the ${margin}-minute margin: too little"
    mkdir -p "$runs"
    out="$runs/campaign-$(date -u +%Y%m%d-%H%M)"
    mkdir -p "$out"
    ln -sfn "$(basename "$out")" "$link"
    # The recipe of a warm restart: one cosine cycle over the whole budget, from the committed weights.
    # Validation (PublicTest) after every epoch selects best.pt; the starting point counts as a candidate.
    nohup nice -n 19 "$PY" "$here/train.py" --data "$data" --out "$out" --init-from "$checkpoint" \
        --schedule time --time-budget-minutes "$budget" --epochs 1000 --size 48 --batch-size 64 \
        --lr "${CAMPAIGN_LR:-1e-3}" --weight-decay 0.05 --warmup-epochs 0.5 --min-lr-ratio 0.005 \
        --label-smoothing 0.1 --mix-prob 0 --class-balance loss --balance-power 0.5 --ema-decay 0.999 \
        --drop-path 0.1 --dropout 0.25 --erasing 0.25 --rotation 12 --threads 2 --eval-weights ema \
        --seed "$(date -u +%s)" "$@" > "$out/train.log" 2>&1 &
    echo $! > "$out/pid"
    date -u +%FT%TZ > "$out/started"
    echo "campaign: pid $! trains for $budget minutes (stops at $(date -u -d "+$budget min" +%H:%M) UTC), log $out/train.log"
    ;;
  status)
    [ -e "$link" ] || die "no campaign run yet"
    if alive; then echo "running: pid $(pid_of) ($(ps -o stat= -p "$(pid_of)" | tr -d ' '))"; else echo "not running"; fi
    grep -E '^(starting point|new best|done|\{)' "$link/train.log" | tail -n 8 || true
    tail -n 2 "$link/train.log"
    ;;
  pause) alive || die "not running"; kill -STOP "$(pid_of)"; echo "paused $(pid_of)" ;;
  continue) alive || die "not running"; kill -CONT "$(pid_of)"; echo "continued $(pid_of)" ;;
  stop)
    alive || { echo "not running"; exit 0; }
    kill -CONT "$(pid_of)" 2>/dev/null || true
    echo "waiting for pid $(pid_of) to finish its schedule (it stops by itself at its deadline)"
    while alive; do sleep 10; done
    tail -n 1 "$link/train.log"
    ;;
  promote)
    [ -f "$link/best.pt" ] || die "no best.pt in $link: nothing beat the committed checkpoint"
    "$PY" "$here/promote.py" --best "$link/best.pt" --checkpoint "$checkpoint" --session "$(date -u +%F)"
    ;;
  finish)
    version=${1:-}
    [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "finish needs the new model version, e.g. 'finish 0.2.0'"
    data=${CAMPAIGN_DATA:-$root/../shared/datasets/fer2013}
    "$0" stop
    run="$(cd "$link" && pwd -P)"
    set +e; "$0" promote; rc=$?; set -e
    if [ "$rc" = 3 ]; then echo "campaign: the committed model stays; nothing to export"; exit 0; fi
    [ "$rc" = 0 ] || exit "$rc"
    model="$root/models/effnetb3-fer2013"
    cd "$root"
    "$PY" "$here/export.py" --checkpoint "$checkpoint" --model-dir "$model" --data "$data" --tta auto \
        --version "$version" --probs "$run/val-probs.f32" | tee "$run/export.txt"
    # Promotion compares the checkpoints without TTA; users get the exported model (with the flip TTA that model.json
    # asks of consumers when it helps). Keep the committed model and checkpoint unless the export also beats the
    # committed model.json.
    committed_json="$(git show "HEAD:models/effnetb3-fer2013/model.json" 2>/dev/null || true)"
    if [ -n "$committed_json" ] && ! COMMITTED="$committed_json" "$PY" -c '
import json, os, sys
old = json.loads(os.environ["COMMITTED"])["metrics"]
new = json.load(open(sys.argv[1]))["metrics"]
print("campaign: exported accuracy %.4f (macro recall %.4f) vs committed model.json %.4f (%.4f)"
      % (new["accuracy"], new["macroRecall"], old["accuracy"], old["macroRecall"]))
sys.exit(0 if new["accuracy"] > old["accuracy"] else 1)' "$model/model.json"; then
        git checkout -- "$model" "$checkpoint"
        echo "campaign: the export does not beat the committed model in the form users get; model and checkpoint restored"
        exit 0
    fi
    models/bin/parity-check --model "$model" --data "$data" --split val --reference "$run/val-probs.f32" \
        --tolerance 1e-4 | tee "$run/parity.txt"
    models/bin/latency-bench --model "$model" --batch 1,8 --iterations 200 | tee "$run/latency-bench.txt"
    "$PY" emotion-service/scripts/make-face-reference.py --probs "$run/val-probs.f32" --model "$model" \
        --source "PyTorch evaluation of the validation split (models/training/export.py, $(date -u +%F))"
    "$PY" "$here/model_card.py" --model-dir "$model" --checkpoint "$checkpoint" --latency "$here/latency.md" \
        --bench "$run/latency-bench.txt" --compute "Each session of the campaign trains on the 2-core shared development CPU (Debian PyTorch 1.13) at nice 19, beside that session's other work, so its wall time says little about the pipeline's speed (models/training/README.md has the measured s/step)."
    cat <<EOT
campaign: model $version exported. Still to do by hand (models/training/README.md, "The campaign"):
  - emotion-service/scripts/evaluate-over-http.sh -Dfer2013.dir=$data  (accuracy must match model.json)
  - camera-service/scripts/accuracy.sh; the README figures that name the model version
  - ./mvnw -B -q -pl emotion-service -am verify (faces/reference.csv), then commit model + checkpoint + card
EOT
    ;;
  *) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
