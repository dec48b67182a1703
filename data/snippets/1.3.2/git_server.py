# caption: 最小的 git “服务器”：裸仓库 + 两个开发者克隆推拉，pre-receive 钩子拒绝 WIP 提交，denyNonFastForwards 拒绝强推
# point: git服务器搭建
# timeout: 30
"""A git server is, at its core, a bare repository that clients reach over
some transport (ssh, https via git-http-backend, git://).  Here the transport
is the local file system, which is enough to show the server-side parts:
  * a bare repository (no working tree) that two developers clone and push to
  * a pre-receive hook: the server runs it before updating any ref and
    rejects the whole push if it exits non-zero (a tiny CI gate)
  * receive.denyNonFastForwards: history on the server cannot be rewritten
All repositories live under ./gitserver_demo; the user's config is ignored.
"""
import os
import shutil
import stat
import subprocess
import sys

if shutil.which("git") is None:
    print("note: git is not installed; skipping the git server demo")
    sys.exit(0)

BASE = os.path.abspath("gitserver_demo")
shutil.rmtree(BASE, ignore_errors=True)
os.makedirs(BASE)
ENV = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
ENV.update(HOME=BASE, XDG_CONFIG_HOME=BASE, LC_ALL="C", GIT_CONFIG_NOSYSTEM="1",
           GIT_CONFIG_GLOBAL="/dev/null", GIT_CONFIG_SYSTEM="/dev/null",
           GIT_CEILING_DIRECTORIES=os.path.dirname(BASE), GIT_TERMINAL_PROMPT="0",
           GIT_AUTHOR_DATE="1700000000 +0000", GIT_COMMITTER_DATE="1700000000 +0000")
SERVER = os.path.join(BASE, "server.git")


def git(cwd, *args, ok=True):
    r = subprocess.run(["git", *args], cwd=cwd, env=ENV, capture_output=True, text=True, timeout=20)
    if ok and r.returncode != 0:
        sys.exit(f"git {' '.join(args)} failed:\n{r.stdout}{r.stderr}")
    return r


def head(cwd, rev="HEAD"):
    return git(cwd, "rev-parse", rev).stdout.strip()


def setup_user(repo, name):
    git(repo, "config", "user.name", name)
    git(repo, "config", "user.email", f"{name}@example.invalid")
    git(repo, "config", "commit.gpgsign", "false")


def commit(repo, name, text, msg):
    with open(os.path.join(repo, name), "w") as f:
        f.write(text)
    git(repo, "add", name)
    git(repo, "commit", "-q", "-m", msg)


# --- the server: a bare repository with a hook and a safety setting
git(BASE, "init", "-q", "--bare", SERVER)
git(SERVER, "symbolic-ref", "HEAD", "refs/heads/main")
git(SERVER, "config", "receive.denyNonFastForwards", "true")
hook = os.path.join(SERVER, "hooks", "pre-receive")
with open(hook, "w") as f:
    f.write("""#!/bin/sh
# stdin: one line per ref being pushed: <old-sha> <new-sha> <refname>
while read old new ref; do
    case "$new" in *[!0]*) ;; *) continue ;; esac      # ref deletion
    case "$old" in *[!0]*) range="$old..$new" ;; *) range="$new" ;; esac
    if git log --format=%s "$range" | grep -q '^WIP'; then
        echo "pre-receive: rejected $ref: contains WIP commits" >&2
        exit 1
    fi
done
exit 0
""")
os.chmod(hook, os.stat(hook).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
assert not os.path.exists(os.path.join(SERVER, ".git"))      # bare: no work tree
print("server: git init --bare server.git + hooks/pre-receive + receive.denyNonFastForwards")

# --- developer 1 creates the project and pushes it
alice = os.path.join(BASE, "alice")
os.makedirs(alice)
git(alice, "init", "-q")
git(alice, "symbolic-ref", "HEAD", "refs/heads/main")
setup_user(alice, "alice")
commit(alice, "app.py", "print('hello')\n", "init")
git(alice, "remote", "add", "origin", SERVER)
git(alice, "push", "-q", "-u", "origin", "main")
assert head(SERVER, "main") == head(alice)
print(f"alice: push -u origin main -> server main = {head(SERVER, 'main')[:7]}")

# --- developer 2 clones, commits, pushes; developer 1 pulls
bob = os.path.join(BASE, "bob")
git(BASE, "clone", "-q", SERVER, bob)
setup_user(bob, "bob")
assert head(bob) == head(alice)
commit(bob, "README.md", "# demo\n", "docs: readme")
git(bob, "push", "-q")
git(alice, "pull", "-q", "--ff-only")
assert head(alice) == head(bob) == head(SERVER, "main")
print(f"bob: clone, commit, push; alice: pull --ff-only -> both at {head(alice)[:7]}")

# --- the hook rejects a WIP commit; the ref on the server does not move
before = head(SERVER, "main")
commit(alice, "app.py", "print('hello, world')\n", "WIP half-done greeting")
r = git(alice, "push", "-q", ok=False)
assert r.returncode != 0 and "pre-receive: rejected refs/heads/main" in r.stderr
assert head(SERVER, "main") == before
print("alice: push 'WIP ...' -> remote: pre-receive: rejected refs/heads/main: contains WIP commits")
git(alice, "commit", "-q", "--amend", "-m", "feat: full greeting")
git(alice, "push", "-q")
assert head(SERVER, "main") == head(alice)
print("alice: commit --amend -m 'feat: ...'; push -> accepted")

# --- history on the server cannot be rewritten
git(alice, "reset", "-q", "--hard", "HEAD~1")
r = git(alice, "push", "-q", "--force", ok=False)
assert r.returncode != 0 and "non-fast-forward" in r.stderr, r.stderr
assert head(SERVER, "main") != head(alice)
print("alice: reset --hard HEAD~1; push --force -> rejected (non-fast-forward)")

refs = git(alice, "ls-remote", "origin").stdout.split("\n")
assert any(line.endswith("refs/heads/main") for line in refs)
assert int(git(SERVER, "rev-list", "--count", "main").stdout) == 3
print(f"server history: {git(SERVER, 'log', '--format=%an: %s', 'main').stdout.strip().splitlines()}")
shutil.rmtree(BASE)
print("all git server checks passed")
