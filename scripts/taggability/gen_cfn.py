import json
import sys

base = "/work/venv/lib/python3.11/site-packages/cfnlint/data/schemas/"
idx = json.load(open(base + "providers/us-east-1.json"))
def load(t): return json.load(open(f"{base}resources/{idx[t]}.json"))
def resolve(s, node):
    while "$ref" in node:
        node = s["definitions"][node["$ref"].split("/")[-1]]
    return node
lists, maps, other, untag = [], [], {}, []
for t in sorted(idx):
    if not t.startswith("AWS::"):
        continue
    s = load(t); tg = s.get("tagging") or {}
    prop = tg.get("tagProperty"); taggable = tg.get("taggable")
    if prop is None and "Tags" in s["properties"] and taggable is not False: prop = "/properties/Tags"
    if taggable is None: taggable = prop is not None
    if not taggable or not prop or prop.split("/")[2] not in s["properties"]:
        untag.append(t); continue
    parts = tuple(p for p in prop.split("/")[2:])
    node = resolve(s, s["properties"][parts[0]])
    if len(parts) > 1:
        other[t] = (parts, "cfn_list"); continue
    ty = node.get("type")
    if ty == "array":
        style = "cfn_list"
    elif ty == "object" and "Items" in node.get("properties", {}):
        other[t] = ((parts[0], "Items"), "cfn_list"); continue
    else:
        style = "map"
    if parts == ("Tags",):
        (lists if style == "cfn_list" else maps).append(t)
    else:
        other[t] = (parts, style)
print(len(lists), len(maps), len(other), len(untag), file=sys.stderr)
print(other, file=sys.stderr)
def emit(var, names):
    return "\n".join([f"{var}: tuple[str, ...] = ("] + [f'    "{n}",' for n in names] + [")"])
open("cfn_lists.txt","w").write(emit("CFN_TAGS_LIST", lists)+"\n")
open("cfn_maps.txt","w").write(emit("CFN_TAGS_MAP", maps)+"\n")
open("cfn_untag.txt","w").write(emit("CFN_UNTAGGABLE", untag)+"\n")
json.dump({k:[list(v[0]),v[1]] for k,v in other.items()}, open("cfn_other.json","w"), indent=1)
