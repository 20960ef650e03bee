"""The README's first playbook and its emulator block, run as written: a plan that sends nothing, the run,
and a second run that changes nothing."""
from ks_ansible import doc_block, run_readme_block


def test_the_readme_first_playbook_runs_as_written(tmp_path):
    play = doc_block("README.md", "## A first playbook", "yaml")
    assert play.startswith("# first.yml"), play[:80]
    path = tmp_path / "first.yml"
    path.write_text(play)
    block = doc_block("README.md", "No KubeSphere at hand?", "sh")
    assert block.count("first.yml") == 3, block
    recaps, run = run_readme_block(block.replace("first.yml", str(path)))
    assert len(recaps) == 3 and recaps[0] > 0 and recaps[1] == recaps[0] and recaps[2] == 0, run.stdout[-4000:]
    assert "first-web" in run.stdout
