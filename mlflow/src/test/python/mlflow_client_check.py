"""Cross-client checks with the official Python client (the mlflow package), run by the Java tests.

Usage: python mlflow_client_check.py read TRACKING_URI RUN_ID MODEL_NAME DOWNLOAD_DIR
       python mlflow_client_check.py register TRACKING_URI RUN_ID MODEL_NAME ALIAS
       python mlflow_client_check.py local-store STORE_DIR_OR_URI
Prints one JSON object on stdout; the Java side asserts on it. Nothing here decides pass/fail.
"""
import hashlib
import json
import os
import sys

import mlflow
from mlflow import MlflowClient


def tree(client, run_id, path=None):
    out = []
    for f in client.list_artifacts(run_id, path):
        out.append(f.path + ("/" if f.is_dir else ""))
        if f.is_dir:
            out.extend(tree(client, run_id, f.path))
    return out


def files_with_sha(root):
    out = {}
    for d, _, names in os.walk(root):
        for n in names:
            p = os.path.join(d, n)
            with open(p, "rb") as fh:
                out[os.path.relpath(p, root).replace(os.sep, "/")] = hashlib.sha256(fh.read()).hexdigest()
    return out


def version_json(mv):
    return {"version": mv.version, "source": mv.source, "run_id": mv.run_id, "status": mv.status,
            "aliases": sorted(getattr(mv, "aliases", []) or []), "tags": dict(mv.tags or {}),
            "model_id": getattr(mv, "model_id", None)}


def read(uri, run_id, name, download_dir):
    mlflow.set_tracking_uri(uri)
    client = MlflowClient(uri)
    run = client.get_run(run_id)
    out = {
        "mlflow_version": mlflow.__version__,
        "status": run.info.status,
        "experiment_id": run.info.experiment_id,
        "params": run.data.params,
        "metrics": run.data.metrics,
        "tags": run.data.tags,
        "recall50_history": [[m.step, m.value] for m in client.get_metric_history(run_id, "test.recall_at_50")],
        "run_artifacts": sorted(tree(client, run_id)),
        "versions": [version_json(v) for v in client.search_model_versions(f"name='{name}'")],
        "champion": version_json(client.get_model_version_by_alias(name, "champion")),
    }
    uri_alias = f"models:/{name}@champion"
    local = mlflow.artifacts.download_artifacts(uri_alias, dst_path=download_dir)
    out["downloaded"] = files_with_sha(local)
    # mlflow 2.x's download of a models:/ URI adds this client-side file (name and version), not a server artifact.
    out["downloaded"].pop("registered_model_meta", None)
    # mlflow 2.17's get_model_info does not parse @alias URIs (it looks up a model named "NAME@champion").
    info = mlflow.models.get_model_info(f"models:/{name}/{out['champion']['version']}")
    out["model_info"] = {"flavors": sorted(info.flavors), "run_id": info.run_id,
                         "model_id": getattr(info, "model_id", None)}
    if hasattr(mlflow, "get_logged_model"):  # MLflow 3: first-class models
        models = client.search_logged_models(experiment_ids=[run.info.experiment_id],
                                             filter_string=f"source_run_id = '{run_id}'")
        out["logged_models"] = [{"model_id": m.model_id, "name": m.name, "status": str(m.status),
                                 "source_run_id": m.source_run_id, "model_type": m.model_type,
                                 "params": dict(m.params or {}),
                                 "artifact_location": m.artifact_location} for m in models]
        out["run_outputs"] = [o.model_id for o in (run.outputs.model_outputs if run.outputs else [])]
    return out


def register(uri, run_id, name, alias):
    mlflow.set_tracking_uri(uri)
    client = MlflowClient(uri)
    # runs:/RUN/model: on MLflow 3 the client finds the run's logged model "model" and registers models:/<model_id>.
    mv = mlflow.register_model(f"runs:/{run_id}/model", name)
    client.set_registered_model_alias(name, alias, mv.version)
    return {"mlflow_version": mlflow.__version__, **version_json(client.get_model_version(name, mv.version))}


def local_store(store):
    mlflow.set_tracking_uri(store if "://" in store else "file:" + os.path.abspath(store))
    client = MlflowClient()
    exps = client.search_experiments()
    runs = mlflow.search_runs(experiment_ids=[e.experiment_id for e in exps], output_format="list")
    out = {"mlflow_version": mlflow.__version__, "experiments": sorted(e.name for e in exps), "runs": []}
    for r in runs:
        out["runs"].append({"run_id": r.info.run_id, "name": r.info.run_name, "status": r.info.status,
                            "params": r.data.params, "metrics": r.data.metrics, "tags": r.data.tags,
                            "artifacts": sorted(tree(client, r.info.run_id))})
    return out


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    result = {"read": read, "register": register, "local-store": local_store}[cmd](*args)
    print(json.dumps(result, sort_keys=True, default=str))
