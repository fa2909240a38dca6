cost_center = "cc-1000"
