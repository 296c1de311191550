"""Benchmarks of the platform against raw baselines measured in the same run (``make bench``).

``python -m bench`` prepares its own database ``renda_bench`` and vhost ``renda_bench``.
It measures the raw baselines with their own processes: pika, nameko RPC, nameko events,
and bare nameko @http + RPC. It then measures the platform: the gateway read, in rounds
alternating with the bare @http baseline, and the write -> read model path. It prints one
table of figures, ratios and targets, and writes it to ``bench/results/latest.json``.
See bench/run.py and bench/README.md.
"""
