# The image of every service of docker-compose.yml that runs the project: Airflow's official
# image plus the `dti` package and the stack it is tested with. Airflow's version and Python's
# are those of constraints.txt and pyproject.toml; tests/unit/test_compose_file.py fails if they part.
FROM apache/airflow:3.3.2-python3.11

# dti.settings takes the project root from DTI_HOME and finds dags/, dbt_project/ and
# expectations/ under it; docker-compose.yml mounts the working copies at the same places.
ENV DTI_HOME=/opt/dti \
    AIRFLOW__CORE__DAGS_FOLDER=/opt/dti/dags \
    GX_ANALYTICS_ENABLED=false \
    DO_NOT_TRACK=1 \
    DBT_SEND_ANONYMOUS_USAGE_STATS=false

# The containers run as any AIRFLOW_UID in group 0, as Airflow's image expects, so group 0 writes
# here. The named archive volume takes its owner from this folder when it is first mounted.
USER root
RUN mkdir -p /opt/dti/include/dti /opt/dti/inbox /opt/dti/archive /opt/dti/output \
    && chown -R airflow:0 /opt/dti \
    && chmod -R g+rwX /opt/dti
USER airflow

# The dependencies' layer depends on the package list and the pins only: the package's own code
# comes after it, so an edit under include/ does not reinstall the stack.
COPY --chown=airflow:0 pyproject.toml constraints.txt README.md /opt/dti/
COPY --chown=airflow:0 include/dti/__init__.py /opt/dti/include/dti/
# Editable, as the airflow user (Airflow's image installs packages for that user only): Python
# finds `dti` in /opt/dti/include, so the include/ that compose mounts there is the code that runs.
# constraints.txt pins the whole stack, apache-airflow==3.3.2 among it, so pip keeps the image's
# Airflow and the containers run the versions the tests ran.
RUN pip install --no-cache-dir -e /opt/dti -c /opt/dti/constraints.txt

# The code, the DAGs, the dbt project and the GX context: the image also runs without the mounts.
COPY --chown=airflow:0 include/ /opt/dti/include/
COPY --chown=airflow:0 dags/ /opt/dti/dags/
COPY --chown=airflow:0 dbt_project/ /opt/dti/dbt_project/
COPY --chown=airflow:0 expectations/ /opt/dti/expectations/
# The dbt manifest each province's transform is rendered from (dti.dbt_manifest): parsing a DAG
# file never runs dbt. airflow-init parses the mounted project again if it differs from this one.
RUN dti manifest
