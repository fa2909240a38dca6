variable "name" {
  type = string
}

variable "cost_center" {
  type = string
}

variable "tags" {
  type    = map(string)
  default = {}
}

resource "aws_s3_bucket" "this" {
  bucket = var.name
  tags = merge(var.tags, {
    CostCenter = var.cost_center
    Name       = var.name
  })
}

output "arn" {
  value = aws_s3_bucket.this.arn
}
