#!/usr/bin/env bash
# The training report in a real browser. Trains a tiny run on generated bars (a second or two), opens its
# report.html in Debian's chromium, headless, and checks that
#   - the page loaded with no error: no console message, no data-error mark (the page records script errors
#     and images that fail to load on <html data-error>), and data-ready="1" set by its load handler
#   - every embedded image decoded (data-images counts them), and the epoch slider shows exactly one frame
#   - the screenshot is not blank (it has edges: the gradient magnitude of its pixels is not zero everywhere)
# chromium is installed with apt-get when missing (as root, or through sudo); if it cannot be, the test is
# skipped (exit 77). The screenshot is left in the current directory as report-screenshot.png.
# Usage: tests/browser/check_report.sh PATH/TO/minicnn
set -euo pipefail
minicnn=$(realpath "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

browser=$(command -v chromium || command -v chromium-browser || true)
if [[ -z "$browser" ]]; then
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo -n)
  echo "chromium is missing: installing Debian's chromium package"
  { "${sudo_cmd[@]}" apt-get install -y -qq chromium >/dev/null 2>&1 ||
    { "${sudo_cmd[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq chromium >/dev/null; }; } ||
    { echo "SKIPPED: chromium is not installed and cannot be installed here"; exit 77; }
  browser=$(command -v chromium) || { echo "SKIPPED: chromium did not install"; exit 77; }
fi

# Bars on a dark noisy background, as IDX files: class 0 horizontal, class 1 vertical.
mkdir -p "$work/data"
perl -e '
  srand(7);
  for my $set (["train", 400], ["t10k", 100]) {
    my ($name, $n) = @$set;
    open(my $images, ">", "$ARGV[0]/$name-images-idx3-ubyte") or die;
    open(my $labels, ">", "$ARGV[0]/$name-labels-idx1-ubyte") or die;
    binmode $images; binmode $labels;
    print $images pack("N4", 0x803, $n, 12, 12);
    print $labels pack("N2", 0x801, $n);
    for (1 .. $n) {
      my $label = int(rand(2)), $at = 2 + int(rand(7));
      my @pixels = map { int(rand(40)) } 1 .. 144;
      for my $k (2 .. 9) {
        for my $w (0, 1) { $pixels[$label ? $k * 12 + $at + $w : ($at + $w) * 12 + $k] = 200 + int(rand(55)); }
      }
      print $images pack("C*", @pixels);
      print $labels pack("C", $label);
    }
  }' "$work/data"
cat > "$work/bars.json" <<JSON
{
  "input": {"channels": 1, "height": 12, "width": 12},
  "layers": [{"type": "conv2d", "filters": 6, "kernel": 3}, {"type": "relu"}, {"type": "maxpool"},
             {"type": "flatten"}, {"type": "linear", "units": 10}],
  "optimizer": {"lr": 0.02},
  "data": {"path": "$work/data", "validation": 0.1},
  "training": {"epochs": 3, "batch_size": 16, "threads": 1},
  "inspect": {"filters_every": 1}
}
JSON
"$minicnn" train "$work/bars.json" --out "$work/run" > "$work/train.log" || { cat "$work/train.log"; fail "training failed"; }
report="$work/run/report.html"
[[ -s "$report" ]] || fail "no report.html"

flags=(--headless --no-sandbox --disable-gpu --disable-background-networking --no-first-run --hide-scrollbars
       --user-data-dir="$work/profile" --enable-logging=stderr --v=0 --virtual-time-budget=5000)
timeout 120 "$browser" "${flags[@]}" --window-size=1280,3600 --screenshot="$work/shot.png" "file://$report" \
  > /dev/null 2> "$work/screenshot.log" || { cat "$work/screenshot.log"; fail "chromium could not take a screenshot"; }
timeout 120 "$browser" "${flags[@]}" --dump-dom "file://$report" > "$work/dom.html" 2> "$work/dom.log" ||
  { cat "$work/dom.log"; fail "chromium could not load the page"; }
cp "$work/shot.png" report-screenshot.png

# No console message at all (the page writes none), no error mark, and the load handler ran.
if grep -h ":CONSOLE" "$work/screenshot.log" "$work/dom.log"; then fail "the page wrote to the console"; fi
root=$(grep -o '<html[^>]*>' "$work/dom.html" | head -n 1)
echo "page root: $root"
[[ "$root" != *data-error* ]] || fail "the page recorded an error: $root"
[[ "$root" == *'data-ready="1"'* ]] || fail "the page did not finish loading: $root"
images=$(sed -n 's/.*data-images="\([0-9]*\)".*/\1/p' <<< "$root")
frames=$(grep -o '<figure class="epoch-frame"[^>]*>' "$work/dom.html" | wc -l)
hidden=$(grep -o '<figure class="epoch-frame"[^>]*hidden[^>]*>' "$work/dom.html" | wc -l)
label=$(grep -o '<output id="epoch-label">[^<]*</output>' "$work/dom.html" || true)
echo "images: $images, filter frames: $frames ($hidden hidden), slider label: $label"
(( frames == 4 )) || fail "expected 4 filter frames (epochs 0 to 3), got $frames"
(( hidden == frames - 1 )) || fail "the slider should show exactly one frame"
[[ "$label" == *"after epoch 3"* ]] || fail "the slider's label does not name the last epoch"
(( images >= 2 * frames )) || fail "expected at least $((2 * frames)) images (weights and gradients), got $images"

# Not blank: minicnn's own Sobel gradient magnitude of the screenshot reaches far above zero.
range=$("$minicnn" filter "$work/shot.png" --gray --kernel sobel_x --magnitude --out "$work/edges.png")
echo "screenshot edges: $range"
highest=$(sed -n 's/.*(values \(.*\) to \(.*\))$/\2/p' <<< "$range")
awk -v h="$highest" 'BEGIN { exit !(h > 200) }' || fail "the screenshot looks blank (strongest edge $highest)"
echo "PASS: the report loads in chromium without errors ($(stat -c %s "$report") bytes, screenshot $(stat -c %s report-screenshot.png) bytes)"
