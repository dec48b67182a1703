# caption: 在临时仓库里用 git 走一遍：三个区域的状态码、分支、快进合并、真合并、冲突解决、标签，最后断言提交历史的形状
# point: 分支管理,查看提交历史
# timeout: 30
"""A git workflow in a scratch repository, driven with subprocess.

The user's own git configuration never leaks in (GIT_CONFIG_GLOBAL and
GIT_CONFIG_SYSTEM point to /dev/null, HOME is the scratch dir) and fixed
author/committer dates make every commit id identical on every run.
Only the scratch repository under the current directory is touched.
"""
import os
import shutil
import subprocess
import sys

if shutil.which("git") is None:
    print("note: git is not installed; skipping the git workflow demo")
    sys.exit(0)

REPO = os.path.abspath("gitdemo")
shutil.rmtree(REPO, ignore_errors=True)
os.makedirs(REPO)
ENV = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
ENV.update(HOME=REPO, XDG_CONFIG_HOME=REPO, LC_ALL="C", GIT_CONFIG_NOSYSTEM="1",
           GIT_CONFIG_GLOBAL="/dev/null", GIT_CONFIG_SYSTEM="/dev/null",
           GIT_CEILING_DIRECTORIES=os.path.dirname(REPO), GIT_TERMINAL_PROMPT="0")
clock = [1_700_000_000]


def git(*args, ok=True):
    clock[0] += 60                                    # deterministic timestamps
    env = dict(ENV, GIT_AUTHOR_DATE=f"{clock[0]} +0000", GIT_COMMITTER_DATE=f"{clock[0]} +0000")
    r = subprocess.run(["git", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=20)
    if ok and r.returncode != 0:
        sys.exit(f"git {' '.join(args)} failed:\n{r.stdout}{r.stderr}")
    return r


def out(*args):
    return git(*args).stdout.strip()


def status():
    return git("status", "--porcelain").stdout.rstrip("\n")   # keep the leading column


def write(name, text):
    with open(os.path.join(REPO, name), "w") as f:
        f.write(text)


def commit(msg, **files):
    for name, text in files.items():
        write(name, text)
    git("add", *files)
    git("commit", "-q", "-m", msg)


def parents(rev="HEAD"):
    return out("rev-list", "--parents", "-n", "1", rev).split()[1:]


version = tuple(int(x) for x in out("--version").split()[2].split(".")[:2])
if version < (2, 23):
    print(f"note: git {version} is older than 2.23 (no 'git switch'); skipping")
    sys.exit(0)

git("init", "-q")
git("symbolic-ref", "HEAD", "refs/heads/main")        # works on any git version
git("config", "user.name", "Atlas Demo")               # local config only
git("config", "user.email", "demo@example.invalid")
git("config", "commit.gpgsign", "false")
assert out("config", "--show-origin", "user.name").startswith("file:.git/config")

# --- the three areas: working tree -> index (staging) -> repository
write("app.py", "print('v1')\n")
s1 = status()                      # untracked
git("add", "app.py")
s2 = status()                      # staged
git("commit", "-q", "-m", "init: app skeleton")
write("app.py", "print('v2')\n")
s3 = status()                      # modified, not staged
git("add", "app.py")
write("app.py", "print('v3')\n")
s4 = status()                      # staged AND modified again
assert (s1, s2, s3, s4) == ("?? app.py", "A  app.py", " M app.py", "MM app.py"), (s1, s2, s3, s4)
assert "v2" in git("diff", "--cached").stdout and "v3" in git("diff").stdout
print(f"status: new {s1!r} -> add {s2!r} -> edit {s3!r} -> add+edit {s4!r}")
git("restore", "app.py")                               # drop the v3 edit
git("commit", "-q", "-m", "app: print v2")
commit("config: defaults", **{"config.ini": "[server]\nport = 8080\nworkers = 4\n"})

# --- fast-forward merge: main has not moved since the branch was cut
git("switch", "-q", "-c", "feature/login")
commit("login: form", **{"login.py": "def login(): ...\n"})
commit("login: tests", **{"test_login.py": "def test_login(): ...\n"})
git("switch", "-q", "main")
git("merge", "-q", "--ff-only", "feature/login")
assert out("rev-parse", "main") == out("rev-parse", "feature/login")
assert len(parents()) == 1
print("merge --ff-only feature/login: main pointer moved forward, no merge commit")

# --- true merge: both sides moved on, git creates a commit with two parents
git("switch", "-q", "-c", "feature/metrics")
commit("metrics: counter", **{"metrics.py": "REQUESTS = 0\n"})
git("switch", "-q", "main")
commit("readme", **{"README.md": "# demo\n"})
git("merge", "-q", "--no-edit", "feature/metrics")
assert len(parents()) == 2
print(f"merge feature/metrics: merge commit with parents {[p[:7] for p in parents()]}")

# --- conflict: the same line changed on both sides
git("switch", "-q", "-c", "hotfix/port")
commit("hotfix: port 9090", **{"config.ini": "[server]\nport = 9090\nworkers = 4\n"})
git("switch", "-q", "main")
commit("tune: port 8000", **{"config.ini": "[server]\nport = 8000\nworkers = 4\n"})
r = git("merge", "hotfix/port", ok=False)
assert r.returncode != 0 and "CONFLICT (content)" in r.stdout
assert status() == "UU config.ini"
assert out("diff", "--name-only", "--diff-filter=U") == "config.ini"
with open(os.path.join(REPO, "config.ini")) as f:
    conflicted = f.read()
assert "<<<<<<< HEAD\nport = 8000\n=======\nport = 9090\n>>>>>>> hotfix/port\n" in conflicted
print("merge hotfix/port -> CONFLICT, status 'UU config.ini', file contains:")
for line in conflicted.splitlines()[1:6]:
    print("   " + line)
write("config.ini", "[server]\nport = 9090\nworkers = 4\n")   # resolution: take the hotfix
git("add", "config.ini")
git("commit", "-q", "--no-edit")
assert len(parents()) == 2 and "<<<<<<<" not in open(os.path.join(REPO, "config.ini")).read()
print("resolved: edited file, git add, git commit --no-edit")

# --- tags and describe
git("tag", "-a", "v1.0.0", "-m", "release 1.0.0")      # annotated: an object of its own
git("tag", "ci-build-42")                              # lightweight: just a ref
assert out("cat-file", "-t", "v1.0.0") == "tag" and out("cat-file", "-t", "ci-build-42") == "commit"
commit("docs: changelog", **{"CHANGELOG.md": "1.0.0\n"})
desc = out("describe")
assert desc.startswith("v1.0.0-1-g"), desc
print(f"tags: v1.0.0 is a '{out('cat-file', '-t', 'v1.0.0')}' object, ci-build-42 a plain ref; "
      f"describe -> {desc}")

# --- the history, and assertions on its shape
print("git log --graph --oneline:")
graph = out("log", "--graph", "--oneline", "--decorate=short", "main")
for line in graph.splitlines():
    print("   " + line)
assert int(out("rev-list", "--count", "main")) == 12
assert int(out("rev-list", "--count", "--merges", "main")) == 2
assert int(out("rev-list", "--count", "--first-parent", "main")) == 10
for branch in ("feature/login", "feature/metrics", "hotfix/port"):
    assert git("merge-base", "--is-ancestor", branch, "main").returncode == 0
assert out("branch", "--merged", "main").count("\n") == 3   # 4 branches incl. main
shutil.rmtree(REPO)
print("all git workflow checks passed")
