# pip twice, then an offline install from wheels a download stored: none of them needs pip's cache.
FROM python:3.11-slim
RUN pip install flask==3.0.3
RUN pip install gunicorn==22.0.0
RUN pip download --dest /wheels six==1.16.0
RUN pip install --no-index --find-links /wheels six==1.16.0
CMD ["gunicorn", "--version"]
