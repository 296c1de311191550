"""Issue 9 / WEB.md: Lighthouse (mobile) on the deputies' home page and the meeting keypad.

    lighthouse.run(gateway_url, admin_url)      # from bench/keypad.py or bench/run.py, platform running
    python -m bench.keypad --lighthouse         # standalone, with the keypad benchmark

Lighthouse 12.2.3 (the last line that runs on Node 20) lives in bench/lighthouse/ with its own
lock file, installed there with ``npm ci`` on first use (not in web/: the web clients' install
stays small). It drives Debian's /usr/bin/chromium (``CHROME_PATH``), never a downloaded
browser. The pages need a signed-in deputy: a demo deputy who is a member of a demo meeting
signs in with ``POST /api/v1/auth/session`` and Lighthouse sends that session cookie
(``--extra-headers``). Mobile form factor and throttling are Lighthouse's defaults.

Figures per page: performance and accessibility scores (targets >= 90 and >= 95), FCP, LCP,
TBT, CLS, and the JavaScript transferred (the page's own measure next to bench/keypad.py's
manifest-based one). The keypad page holds its live stream (SSE) open, so Lighthouse never sees
the network quiet and waits its maximum load time first; the scores are unaffected.
"""
import json
import os
import pathlib
import shutil
import subprocess
import tempfile

import requests

HERE = pathlib.Path(__file__).resolve().parent / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
TARGETS = {"performance": 90, "accessibility": 95}
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run " \
               "--disable-background-networking --disable-component-update --disable-sync"


def lighthouse_binary():
    binary = HERE / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=HERE, check=True)
    return binary


def deputy_at_a_meeting(gateway):
    """(username, meeting id): a demo deputy who is a member of a demo meeting (the newest first)."""
    for meeting in requests.get(f"{gateway}/api/v1/meetings", params={"limit": 20}, timeout=30).json()["items"]:
        members = requests.get(f"{gateway}/api/v1/meetings/{meeting['id']}", timeout=30).json().get("members") or []
        if members:
            return members[0], meeting["id"]
    raise RuntimeError("no demo meeting with members: load the demo data (bootstrap --demo)")


def session_cookie(gateway, username, password="demo"):
    answer = requests.post(f"{gateway}/api/v1/auth/session", json={"username": username, "password": password},
                           timeout=30)
    if answer.status_code != 200:
        raise RuntimeError(f"sign-in of {username}: {answer.status_code} {answer.text[:300]}")
    return "; ".join(f"{name}={value}" for name, value in answer.cookies.items())


def audit(binary, url, cookie, out_dir, name):
    path = pathlib.Path(out_dir) / f"{name}.json"
    argv = [str(binary), url, "--quiet", "--output=json", f"--output-path={path}",
            "--only-categories=performance,accessibility", f"--chrome-flags={CHROME_FLAGS}",
            "--extra-headers=" + json.dumps({"Cookie": cookie}), "--max-wait-for-load=20000"]
    done = subprocess.run(argv, env=dict(os.environ, CHROME_PATH=CHROMIUM), capture_output=True, text=True,
                          timeout=300)
    if not path.is_file():
        raise RuntimeError(f"lighthouse {url}: exit {done.returncode}: {done.stderr[-1500:]}")
    lhr = json.loads(path.read_text(encoding="utf-8"))
    audits = lhr["audits"]
    scripts = [item for item in (audits.get("network-requests", {}).get("details", {}) or {}).get("items", [])
               if item.get("resourceType") == "Script"]
    return {
        "url": url,
        "final_url": lhr.get("finalDisplayedUrl") or lhr.get("finalUrl"),
        "performance": round(100 * (lhr["categories"]["performance"]["score"] or 0)),
        "accessibility": round(100 * (lhr["categories"]["accessibility"]["score"] or 0)),
        "fcp_ms": round(audits["first-contentful-paint"]["numericValue"]),
        "lcp_ms": round(audits["largest-contentful-paint"]["numericValue"]),
        "tbt_ms": round(audits["total-blocking-time"]["numericValue"]),
        "cls": round(audits["cumulative-layout-shift"]["numericValue"], 3),
        "js_transfer_bytes": sum(item.get("transferSize") or 0 for item in scripts),
        "accessibility_failures": sorted(key for key, value in audits.items()
                                         if value.get("score") == 0 and key in _accessibility_audits(lhr)),
        "runtime_error": (lhr.get("runtimeError") or {}).get("code"),
        "warnings": lhr.get("runWarnings") or [],
        "report": str(path),
    }


def _accessibility_audits(lhr):
    return {ref["id"] for ref in lhr["categories"]["accessibility"]["auditRefs"]}


def run(gateway, out_dir=None):
    """Lighthouse on the mobile home page and the keypad; {"home": {...}, "keypad": {...}}."""
    if not shutil.which("npm") or not os.path.exists(CHROMIUM):
        return {"skipped": "needs npm and /usr/bin/chromium"}
    binary = lighthouse_binary()
    out_dir = out_dir or tempfile.mkdtemp(prefix="renda-lighthouse-")
    username, meeting_id = deputy_at_a_meeting(gateway)
    cookie = session_cookie(gateway, username)
    pages = {"home": f"{gateway}/m/", "keypad": f"{gateway}/m/meetings/{meeting_id}"}
    return {name: audit(binary, url, cookie, out_dir, name) for name, url in pages.items()}


def report(results):
    if not results:
        return ""
    if "skipped" in results:
        return f"lighthouse: skipped ({results['skipped']})"
    lines = ["lighthouse 12.2.3 (mobile), Debian chromium, signed-in deputy"]
    for name, page in results.items():
        met = all(page[category] >= target for category, target in TARGETS.items())
        lines.append(
            f"  {name:7} {page['final_url']}: performance {page['performance']} (>= {TARGETS['performance']}), "
            f"accessibility {page['accessibility']} (>= {TARGETS['accessibility']}) {'met' if met else 'MISSED'}; "
            f"FCP {page['fcp_ms']} ms, LCP {page['lcp_ms']} ms, TBT {page['tbt_ms']} ms, CLS {page['cls']}; "
            f"JS transferred {page['js_transfer_bytes']} bytes"
            + (f"; failing accessibility audits: {', '.join(page['accessibility_failures'])}"
               if page["accessibility_failures"] else ""))
    return "\n".join(lines)
