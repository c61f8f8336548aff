"""The LabLoop wire protocol v1, generated from Proto/labloop/v1 by Proto/generate-peers.sh. Do not edit."""
