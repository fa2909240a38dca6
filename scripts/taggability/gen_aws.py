"""One-off: write the Terraform aws lists from the provider schema (kept out of the repo)."""
import json
import sys

s = json.load(open("/tmp/tfschema/schema.json"))
p = s["provider_schemas"]["registry.terraform.io/hashicorp/aws"]
rs = p["resource_schemas"]
ds = p["data_source_schemas"]
with_default, without_default, untaggable = [], [], []
for name in sorted(rs):
    attrs = rs[name]["block"].get("attributes", {})
    if name == "aws_autoscaling_group":
        continue
    if "tags" in attrs and attrs["tags"]["type"] == ["map", "string"]:
        (with_default if "tags_all" in attrs else without_default).append(name)
    else:
        untaggable.append(name)
def emit(var, names, comment):
    out = [f"# {comment}", f"{var}: tuple[str, ...] = ("]
    out += [f'    "{n}",' for n in names]
    out.append(")")
    return "\n".join(out)
print(len(with_default), len(without_default), len(untaggable), file=sys.stderr)
open("tf_tagged.txt","w").write(emit("TERRAFORM_TAGS", with_default, "") + "\n")
open("tf_untagged.txt","w").write(emit("TERRAFORM_UNTAGGABLE", untaggable, "") + "\n")
print(without_default, file=sys.stderr)
data_only = sorted(set(ds) - set(rs))
print(len(data_only), data_only[:50], file=sys.stderr)
