"""Live collectors: cloud APIs and inventory files -> the resource model. The only code that reads clouds."""
