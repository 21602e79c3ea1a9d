# Exports one of torchvision's segmentation models with seeded random weights to ONNX (opset 13, dynamic batch,
# height and width, input "input" [N,3,H,W], output "logits" [N,21,H,W]): the test models of "bring your own model".
# Usage: python3 torchvision_models.py lraspp|deeplabv3 OUT.onnx   (needs Debian's python3-torchvision 0.14)
import sys

import torch
import torchvision

name, out = sys.argv[1], sys.argv[2]
torch.manual_seed(0)
constructors = {"lraspp": torchvision.models.segmentation.lraspp_mobilenet_v3_large,
                "deeplabv3": torchvision.models.segmentation.deeplabv3_mobilenet_v3_large}
model = constructors[name](weights=None, weights_backbone=None, num_classes=21).eval()


class LogitsOnly(torch.nn.Module):
    """torchvision's models return a dict; the exported graph has the one tensor."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, x):
        return self.inner(x)["out"]


dynamic = {0: "n", 2: "h", 3: "w"}
with torch.no_grad():
    torch.onnx.export(LogitsOnly(model), torch.rand(1, 3, 256, 256), out, opset_version=13,
                      input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": dynamic, "logits": dynamic})
