"""LAVA's own checks on ptbench's LAVA files, for tests/integration/lava_schema.t.

Runs with Debian's python3 and PYTHONPATH at the LAVA 2023.01 packages that
tests/integration/lava_tool.sh unpacked. Usage:
  lava_check.py testdef FILE   the test-definition schema
                               (lava_common.schemas.test.testdef.validate,
                               what lava-dispatcher applies once it has the
                               definition)
  lava_check.py job FILE       the job schema, strict (lava_common.schemas.validate:
                               what the server and `lavacli jobs validate
                               --strict` run on submission)
  lava_check.py device JOB TEMPLATES OUT [NAME=VALUE...]
                               the device configuration lava-run reads: a
                               device dictionary extending the JOB's
                               device_type template (from lava-server's
                               device-types folder TEMPLATES) and setting each
                               NAME (an admin's `{% set NAME = VALUE %}`, VALUE
                               a Python literal), rendered with the job's
                               context as LAVA's server renders it, checked
                               with lava-common's device schema and written
                               to OUT
  lava_check.py localize JOB DIR OUT
                               the JOB with every deploy image URL replaced by
                               a file:// URL of an empty file under DIR
                               (`lava-run --validate` HEADs every http URL: the
                               test must not need the network), written to OUT
  lava_check.py lava-run TMPDIR ARGS...
                               lava-run (its file: $LAVA_RUN) with ARGS, its
                               own main() unchanged, with the dispatcher's
                               scratch folder (lava_common.constants.
                               DISPATCHER_DOWNLOAD_DIR, /var/lib/lava/
                               dispatcher/tmp, where --validate creates and
                               removes a folder per job) moved to TMPDIR;
                               exit: lava-run's
Prints `valid` or `invalid: REASON`; exit 0 valid, 1 invalid, 2 bad usage.
"""
import os
import sys

import yaml


def load(path):
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


def check(fn, *args):
    import voluptuous

    try:
        fn(*args)
    except voluptuous.Invalid as exc:
        print("invalid: %s" % exc)
        return 1
    print("valid")
    return 0


def cmd_testdef(path):
    from lava_common.schemas.test import testdef

    return check(testdef.validate, load(path))


def cmd_job(path):
    from lava_common import schemas

    return check(schemas.validate, load(path), True)


def cmd_device(job_path, templates, out, *sets):
    from jinja2 import FileSystemLoader
    from jinja2.sandbox import SandboxedEnvironment

    from lava_common.schemas import device

    job = load(job_path)
    dtype = job.get("device_type")
    if not dtype:
        print("invalid: the job names no device_type")
        return 1
    # the environment of lava_scheduler_app/environment.py: devices(); the
    # dictionary is what `lava-server manage device-dictionary` holds
    env = SandboxedEnvironment(
        loader=FileSystemLoader([templates]), autoescape=False, trim_blocks=True
    )
    dictionary = "{%% extends '%s.jinja2' %%}\n" % dtype
    for kv in sets:
        name, _, value = kv.partition("=")
        dictionary += "{%% set %s = %s %%}\n" % (name, value)
    rendered = env.from_string(dictionary).render(**job.get("context", {}))
    data = yaml.safe_load(rendered)
    rc = check(device.validate, data)
    with open(out, "w", encoding="utf-8") as f:
        f.write(rendered)
    return rc


def cmd_localize(job_path, folder, out):
    job = load(job_path)
    for action in job.get("actions", []):
        deploy = action.get("deploy")
        if not deploy:
            continue
        for name, image in deploy.get("images", {}).items():
            local = os.path.join(os.path.abspath(folder), name)
            open(local, "wb").close()
            image["url"] = "file://" + local
    with open(out, "w", encoding="utf-8") as f:
        yaml.safe_dump(job, f, sort_keys=False)
    return 0


def cmd_lava_run(tmpdir, *args):
    import runpy

    # every lava_dispatcher module copies the constant when imported: set
    # it before lava-run imports the first of them
    import lava_common.constants

    lava_common.constants.DISPATCHER_DOWNLOAD_DIR = os.path.abspath(tmpdir)
    script = os.environ["LAVA_RUN"]
    sys.argv = [script] + list(args)
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    return 0


def main(argv):
    # name: (function, least arguments, most arguments or None)
    cmds = {"testdef": (cmd_testdef, 1, 1), "job": (cmd_job, 1, 1),
            "device": (cmd_device, 3, None), "localize": (cmd_localize, 3, 3),
            "lava-run": (cmd_lava_run, 1, None)}
    if len(argv) < 2 or argv[1] not in cmds:
        sys.stderr.write(__doc__)
        return 2
    fn, least, most = cmds[argv[1]]
    n = len(argv) - 2
    if n < least or (most is not None and n > most):
        sys.stderr.write(__doc__)
        return 2
    return fn(*argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
