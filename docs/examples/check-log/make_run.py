"""The run behind the README's check-log figure: a real training loop that accumulates
gradients over 4 batches, while its plan (spec.yaml) counted every batch as an optimizer step.

    python docs/examples/check-log/make_run.py   # writes run.csv beside this file
"""

from __future__ import annotations

import csv
from pathlib import Path

import torch

EPOCHS, BATCHES, ACCUMULATE = 10, 20, 4

torch.manual_seed(0)
model = torch.nn.Linear(4, 1)
data = torch.randn(BATCHES, 8, 4), torch.randn(BATCHES, 8, 1)
optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
steps = EPOCHS * -(-BATCHES // ACCUMULATE)  # the run sizes OneCycleLR for its optimizer steps
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, total_steps=steps)
logged = []
for epoch in range(EPOCHS):
    for batch in range(BATCHES):
        loss = torch.nn.functional.mse_loss(model(data[0][batch]), data[1][batch])
        loss.backward()
        if (batch + 1) % ACCUMULATE and batch + 1 < BATCHES:
            continue
        logged.append((len(logged), optimizer.param_groups[0]["lr"]))  # before the step
        optimizer.step()
        optimizer.zero_grad()
        scheduler.step()
with open(Path(__file__).with_name("run.csv"), "w", newline="") as handle:
    writer = csv.writer(handle)
    writer.writerow(["step", "lr"])
    writer.writerows((step, repr(lr)) for step, lr in logged)
