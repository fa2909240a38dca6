variable "cost_center" {
  type        = string
  description = "Cost center charged for this environment"
}

variable "app_owner" {
  type = string
}
