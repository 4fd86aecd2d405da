# Jupyter server configuration for `make lab`: `make` copies it into
# .venv/etc/jupyter/, which the server started from .venv reads and no other reads.
#
# Why: git sends each notebook through nbstripout (.gitattributes and `make filter`),
# so a notebook whose only change is its outputs has nothing to commit, and `git diff`
# shows nothing. But `git status` still lists it as modified: when a file's size
# differs from the size recorded in the index, git reports it modified without running
# the filter. So after JupyterLab saves a notebook, this hook asks git what it would
# commit of it (`git hash-object --path`, which applies the filter); when that is
# exactly what the index holds, `git add` records the file's new size and time in the
# index and stages nothing. A notebook whose sources changed is left alone, and shows
# as modified, as it should. It never raises: a failing hook would fail the save.
import subprocess
from pathlib import Path


def refresh_git_index(model, os_path, contents_manager, **kwargs):
    """After a notebook is saved: if git would commit of it what its index holds, make
    git's index record the saved file, so `git status` does not call it modified."""
    if model.get("type") != "notebook":
        return
    path = Path(os_path)

    def git(*args):
        return subprocess.run(["git", "-C", str(path.parent), *args],
                              capture_output=True, text=True, timeout=600)

    try:
        staged = git("ls-files", "--stage", "--", path.name)
        if staged.returncode or not staged.stdout.strip():
            return  # not in a git clone, or a notebook git does not track
        committed = staged.stdout.split()[1]
        cleaned = git("hash-object", f"--path={path.name}", "--", path.name)
        if cleaned.returncode == 0 and cleaned.stdout.strip() == committed:
            git("add", "--", path.name)
    except (OSError, subprocess.SubprocessError, IndexError) as error:
        contents_manager.log.warning("git index not refreshed for %s: %s", path, error)


c = get_config()  # noqa: F821 (Jupyter provides get_config to config files)
c.ContentsManager.post_save_hook = refresh_git_index
