"""The operations dashboard drawn by the project: Grafana's panels from Prometheus, as SVG."""
