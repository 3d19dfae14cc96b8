"""The production recipe's files agree with each other and with the README: the same commands, the same
variables, the shape the README promises (2 web, 2 workers, 1 beat, PostgreSQL, Redis).

Docker may not run on the test machines, so compose.yaml is read as YAML here; where Docker is installed,
`docker compose config` must accept it as well. tests/clinic/test_production_recipe.py runs the processes.
"""

import re
import shutil
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
ROLES = {"web", "worker", "beat", "release"}
# What bin/serve reads itself (the rest of the environment is read by clinic/settings.py).
_READ_BY_BIN_SERVE = {"PORT", "BIND", "WEB_CONCURRENCY", "WEB_THREADS", "WEB_TIMEOUT", "WORKER_CONCURRENCY",
                      "WORKER_NAME", "LOG_LEVEL", "PY"}


def compose():
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def readme_variables():
    """The names in the README's Configuration table (a row may name several, comma-separated)."""
    table = ROOT.joinpath("README.md").read_text().split("## Configuration", 1)[1].split("\n## ", 1)[0]
    names = set()
    for row in re.findall(r"^\| (.+?) \|", table, flags=re.M):
        names |= set(re.findall(r"`([A-Z][A-Z0-9_]+)`", row))
    return names


def env_file_variables(path):
    """Every NAME=... in an env file, commented-out examples included."""
    return set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", path.read_text(), flags=re.M))


def unit(name):
    lines = (DEPLOY / "systemd" / name).read_text().splitlines()
    return [line for line in lines if line and not line.startswith("#")]


def test_compose_runs_two_web_two_workers_one_beat_postgres_and_redis_each_through_bin_serve():
    services = compose()["services"]
    assert {"web", "worker", "beat", "postgres", "redis"} <= set(services)
    replicas = {name: services[name].get("deploy", {}).get("replicas", 1) for name in ("web", "worker", "beat")}
    assert replicas == {"web": 2, "worker": 2, "beat": 1}
    stride = {name: s for name, s in services.items() if s.get("image") == "stride:latest"}
    assert set(stride) == {"release", "web", "worker", "beat"}
    for name, service in stride.items():
        assert service["command"] == ["bin/serve", name]  # the command the units and the tests run
        assert service["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}
    for name in ("web", "worker", "postgres", "redis", "proxy"):
        assert services[name]["healthcheck"]["test"], name
    for name in ("web", "worker", "beat"):  # none starts before the schema is migrated and checked
        assert services[name]["depends_on"]["release"] == {"condition": "service_completed_successfully"}
    assert services["release"]["depends_on"]["postgres"] == {"condition": "service_healthy"}


def test_compose_keeps_every_state_on_a_volume_and_shares_documents_between_the_web_replicas():
    recipe = compose()
    services = recipe["services"]
    mounts = {name: {v.split(":")[0]: v.split(":")[1] for v in s.get("volumes", [])} for name, s in services.items()}
    assert mounts["postgres"]["pgdata"] == "/var/lib/postgresql/data" and mounts["redis"]["redisdata"] == "/data"
    environment = services["web"]["environment"]
    assert mounts["web"]["media"] == mounts["worker"]["media"] == environment["MEDIA_ROOT"]
    assert mounts["beat"]["beat"] == str(Path(environment["BEAT_SCHEDULE_FILE"]).parent)
    assert {"pgdata", "redisdata", "media", "beat"} <= set(recipe["volumes"])


def test_every_variable_the_recipe_sets_is_one_the_readme_documents_and_the_settings_read():
    settings_source = (ROOT / "clinic" / "settings.py").read_text()
    services = compose()["services"]
    compose_names = set(services["web"]["environment"])
    env_example = env_file_variables(DEPLOY / "stride.env.example") - {"POSTGRES_PASSWORD"}  # the image's own
    unit_names = {name for f in (DEPLOY / "systemd").glob("*.service")
                  for line in unit(f.name) if line.startswith("Environment=")
                  for name in re.findall(r"([A-Z_]+)=", line.removeprefix("Environment="))}
    production = ROOT.joinpath("README.md").read_text().split("## Production", 1)[1].split("\n## ", 1)[0]
    readme_export = set(re.findall(r"\b([A-Z][A-Z0-9_]+)=", production.split("```bash", 1)[1].split("```", 1)[0]))
    documented = readme_variables()
    for names in (compose_names, env_example, unit_names, readme_export):
        assert names <= documented, names - documented
        unread = {name for name in names if f'"{name}"' not in settings_source and name not in _READ_BY_BIN_SERVE}
        assert not unread, unread
    # What compose sets itself and what the operator fills in together are what the README's recipe exports.
    assert readme_export <= compose_names | env_example


def test_bin_serve_reads_every_variable_it_is_said_to():
    source = (ROOT / "bin" / "serve").read_text()
    assert {name for name in _READ_BY_BIN_SERVE if "${" + name in source} == _READ_BY_BIN_SERVE


def test_the_systemd_units_start_the_same_roles_with_the_same_environment_file():
    started = {}
    for path in sorted((DEPLOY / "systemd").glob("*.service")):
        lines = unit(path.name)
        exec_start = next(line for line in lines if line.startswith("ExecStart="))
        assert exec_start.startswith("ExecStart=/srv/stride/bin/serve "), path.name
        started[path.name] = exec_start.split()[-1]
        assert "EnvironmentFile=/etc/stride/stride.env" in lines and "User=stride" in lines
    assert sorted(started.values()) == sorted(ROLES)
    wanted = next(line for line in unit("stride.target") if line.startswith("Wants=")).split("=", 1)[1].split()
    webs = [w for w in wanted if w.startswith("stride-web@")]
    workers = [w for w in wanted if w.startswith("stride-worker@")]
    assert len(webs) == 2 and len(workers) == 2 and wanted.count("stride-beat.service") == 1
    # nginx's VM site balances over exactly the ports the web units listen on.
    ports = {w.removeprefix("stride-web@").removesuffix(".service") for w in webs}
    site = (DEPLOY / "nginx" / "stride.conf").read_text()
    assert set(re.findall(r"server 127\.0\.0\.1:(\d+)", site)) == ports


def test_the_nginx_sites_pass_what_the_app_needs_and_answer_health_on_plain_http():
    limit = 15 * 1024 * 1024  # PATIENT_DOCUMENT_MAX_BYTES' default
    for name in ("stride.conf", "compose.conf"):
        site = (DEPLOY / "nginx" / name).read_text()
        plain, tls = site.split("listen 443", 1)
        assert "location = /healthz" in plain and "return 301 https://$host$request_uri" in plain
        # One proxy, NUM_PROXIES=1: the address it adds must be the client's, not a client-supplied list.
        assert "proxy_set_header X-Forwarded-For $remote_addr;" in tls
        assert "proxy_set_header X-Forwarded-Proto $scheme;" in tls and "proxy_set_header Host $host;" in tls
        size = int(re.search(r"client_max_body_size (\d+)m;", tls).group(1))
        assert size * 1024 * 1024 > limit
    assert compose()["services"]["web"]["environment"]["NUM_PROXIES"] == "1"


def test_the_image_runs_as_a_non_root_user_with_static_files_collected_at_build():
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim$", dockerfile, flags=re.M)
    assert "--require-hashes -r /tmp/requirements.txt" in dockerfile
    assert "manage.py collectstatic --noinput" in dockerfile
    users = re.findall(r"^USER (\S+)$", dockerfile, flags=re.M)
    assert users and users[-1] not in ("root", "0")
    assert dockerfile.strip().endswith('CMD ["bin/serve", "web"]')
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv", "var"} <= set(ignored)  # no local database, documents or secrets in the image


def test_docker_compose_accepts_the_file_where_docker_is_installed(tmp_path):
    docker = shutil.which("docker")
    if docker is None or subprocess.run([docker, "compose", "version"], capture_output=True).returncode != 0:
        return  # Docker is not on these machines (the YAML checks above still ran)
    env = tmp_path / "stride.env"
    env.write_text((DEPLOY / "stride.env.example").read_text())
    shutil.copy(DEPLOY / "compose.yaml", tmp_path / "compose.yaml")
    result = subprocess.run([docker, "compose", "-f", str(tmp_path / "compose.yaml"), "config", "--quiet"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
