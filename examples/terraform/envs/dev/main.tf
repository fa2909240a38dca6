provider "google" {
  project = "acme-dev"
  default_labels = {
    environment = "dev"
    owner       = "data-team"
  }
}

provider "azurerm" {
  features {}
}

variable "buckets" {
  default = {
    raw     = "cc-2000"
    curated = "CC-2000"
  }
}

resource "google_storage_bucket" "per_team_buckets_for_each" {
  for_each = var.buckets
  name     = "acme-dev-${each.key}"
  location = "EU"
  labels = {
    cost_center = each.value
  }
}

resource "google_container_cluster" "gke_labels_in_resource_labels" {
  name     = "dev"
  location = "europe-west1"
  resource_labels = {
    cost_center = "cc-2000"
  }
}

resource "google_compute_firewall" "untaggable_firewall" {
  name    = "allow-ssh"
  network = "default"
}

resource "azurerm_resource_group" "misspelt_cost_center_key" {
  name     = "rg-dev"
  location = "westeurope"
  tags = {
    costcenter  = "cc-3000"
    Environment = "Dev"
    Owner       = "web-team@example.org"
  }
}

resource "acme_widget" "unclassified_type" {
  name = "w"
}
