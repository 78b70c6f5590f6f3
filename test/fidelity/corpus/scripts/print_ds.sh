#!/bin/sh
echo "ds is {{ ds }}"
