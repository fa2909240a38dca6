# Production: AWS default_tags cover most keys, a local module adds buckets.
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.0" }
  }
}

provider "aws" {
  region = "eu-west-1"
  default_tags {
    tags = {
      CostCenter  = var.cost_center
      Environment = "prod"
      Owner       = "platform-team@example.org"
    }
  }
}

provider "aws" {
  alias  = "us"
  region = "us-east-1"
}

locals {
  data_tags = {
    DataClassification = "confidential"
    BusinessUnit       = "platform"
  }
}

resource "aws_s3_bucket" "compliant_reports" {
  bucket = "acme-prod-reports"
  tags   = merge(local.data_tags, { Name = "reports" })
}

resource "aws_s3_bucket" "missing_data_classification" {
  bucket = "acme-prod-scratch"
}

# The us provider has no default_tags: this queue carries only what it declares.
resource "aws_sqs_queue" "us_queue_missing_everything" {
  provider = aws.us
  name     = "acme-prod-events"
  tags = {
    Name = "events"
  }
}

resource "aws_instance" "owner_from_unset_variable_is_unknown" {
  ami           = "ami-0123456789abcdef0"
  instance_type = "t3.micro"
  tags = merge(local.data_tags, {
    Owner = var.app_owner
  })
}

# tagwarden:ignore prod-data-classification public website assets, reviewed in SEC-42
resource "aws_s3_bucket" "suppressed_website" {
  bucket = "acme-prod-website"
  tags   = { BusinessUnit = "platform" }
}

resource "aws_autoscaling_group" "asg_tag_blocks_without_cost_center" {
  name             = "web"
  max_size         = 2
  min_size         = 1
  desired_capacity = 1
  tag {
    key                 = "Owner"
    value               = "web-team@example.org"
    propagate_at_launch = true
  }
  tag {
    key                 = "Environment"
    value               = "prod"
    propagate_at_launch = true
  }
}

resource "aws_s3_bucket_policy" "untaggable_is_never_flagged" {
  bucket = aws_s3_bucket.compliant_reports.id
  policy = "{}"
}

module "logs" {
  source      = "../../modules/tagged_bucket"
  name        = "acme-prod-logs"
  cost_center = var.cost_center
  tags        = local.data_tags
}
